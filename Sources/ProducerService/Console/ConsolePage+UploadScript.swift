extension ConsolePage {
    /// Uploads by drag and drop (or the file chooser): files up to `DIRECT_THRESHOLD` (64 MiB, or `?direct=`) through `POST /v1/videos`
    /// (multipart, with the title and jobs before the file), larger ones as direct uploads (`POST /v1/uploads`, then a
    /// PUT to S3, in parts four at a time, each tried up to three times, then `complete`). Progress shows on each upload's
    /// row; the rows are kept in session storage, so a reload still lists them: a finished one linked to its video, one
    /// cut short by the reload marked interrupted. A direct upload resumes when the same file is dropped again (its
    /// presigned URLs and the pieces already sent are kept with its row, until it ends); one through the producer
    /// starts over.
    static let uploadScript = #"""
        const uploads = { items: [], requests: new Set() };

        function setUpUploads() {
          let saved = [];
          try { saved = JSON.parse(sessionStorage.getItem(UPLOADS) || "[]"); } catch (_) { saved = []; }
          uploads.items = Array.isArray(saved) ? saved : [];
          for (const item of uploads.items) {
            if (item.state === "uploading" || item.state === "completing") {
              item.state = "interrupted";
              item.error = item.resume ? "the page was reloaded during the upload; drop the same file again to resume it"
                : "the page was reloaded during the upload; drop the file again to upload it";
            }
          }
          saveUploads();
          for (const job of JOB_TYPES) {
            $("jobs").append(el("label", {}, el("input", { type: "checkbox", name: "job", value: job, checked: DEFAULT_JOBS.includes(job) }), " " + job));
          }
          $("upload-mode").textContent = "Files up to " + bytes(DIRECT_THRESHOLD) + " go through the producer; larger ones straight to S3 in parts ("
            + PARALLEL_PARTS + " at a time).";
          const drop = $("drop"), input = $("file");
          drop.addEventListener("click", (event) => { if (event.target !== input) input.click(); });
          drop.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); } });
          drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
          drop.addEventListener("dragleave", () => drop.classList.remove("over"));
          drop.addEventListener("drop", (event) => {
            event.preventDefault();
            drop.classList.remove("over");
            for (const file of event.dataTransfer.files) upload(file);
          });
          input.addEventListener("change", () => { for (const file of input.files) upload(file); input.value = ""; });
        }

        function saveUploads() {
          uploads.items = uploads.items.slice(-20);
          sessionStorage.setItem(UPLOADS, JSON.stringify(uploads.items));
        }

        /** Aborts every upload under way (on sign out). */
        function stopUploads() {
          for (const request of uploads.requests) request.abort();
          uploads.requests.clear();
          uploads.items = [];
          $("uploads").replaceChildren();
        }

        function renderUploads() {
          $("uploads").replaceChildren(...uploads.items.slice().reverse().map(uploadRow));
        }

        function uploadRow(item) {
          const state = item.state === "uploading" ? (item.mode === "direct" ? "uploading to S3" : "uploading") + " " + Math.floor(item.progress * 100) + " %"
            : item.state === "done" ? "uploaded" : item.state === "completing" ? "completing" : item.state;
          const sent = ["uploading", "interrupted"].includes(item.state) && item.done ? item.done + " of " : "";
          const mode = item.mode === "direct" ? (item.parts ? "direct, " + sent + item.parts + " parts" : "direct, one PUT") : "through the producer";
          return el("li", { id: "upload-" + item.local, "data-state": item.state, "data-mode": item.mode, "data-parts": item.parts || 0,
              "data-done": item.done || 0, "data-video": item.video || "" },
            el("div", {}, el("strong", { text: item.title || item.name }), " ",
              el("small", { class: "muted", text: [item.name, bytes(item.size), mode].join(" · ") })),
            el("progress", { max: "100", value: String(Math.round((item.progress || 0) * 100)) }),
            el("div", { class: "upload-state" },
              item.video ? el("a", { href: "#/videos/" + item.video, text: state + ": open" }) : el("span", { class: item.error ? "error" : "", text: state }),
              item.error ? el("div", { class: "error", text: item.error }) : null,
              FINAL_UPLOAD.includes(item.state)
                ? el("button", { type: "button", class: "small", text: "Dismiss", onclick: () => dismiss(item.local) }) : null));
        }
        const FINAL_UPLOAD = ["done", "failed", "interrupted"];

        function showUpload(item) {
          const old = document.getElementById("upload-" + item.local);
          if (old) old.replaceWith(uploadRow(item)); else $("uploads").prepend(uploadRow(item));
        }

        function dismiss(local) {
          uploads.items = uploads.items.filter((item) => item.local !== local);
          saveUploads();
          renderUploads();
        }

        /** Uploads `file` with the title and jobs chosen — or resumes the interrupted direct upload of the same file (name, size
         * and modification time) — and adds the video to the list once the producer accepted it. */
        async function upload(file) {
          const jobs = [...document.querySelectorAll("#jobs input:checked")].map((box) => box.value);
          const title = $("title").value.trim() || file.name;
          $("title").value = "";
          let item = uploads.items.find((candidate) => candidate.state === "interrupted" && candidate.resume && candidate.name === file.name
            && candidate.size === file.size && candidate.resume.modified === file.lastModified);
          if (item) {
            item.state = "uploading";
            item.error = "";
          } else {
            item = { local: Date.now().toString(36) + Math.random().toString(36).slice(2, 8), title, name: file.name, size: file.size,
              mode: file.size > DIRECT_THRESHOLD ? "direct" : "api", state: "uploading", progress: 0, parts: 0, video: "", error: "" };
            uploads.items.push(item);
          }
          saveUploads();
          showUpload(item);
          let saved = 0;
          const progress = (fraction) => {
            item.progress = Math.min(1, fraction);
            showUpload(item);
            if (item.progress - saved >= 0.05) { saved = item.progress; saveUploads(); }
          };
          try {
            const body = normalized(item.mode === "direct" ? await directUpload(file, item.title, jobs, item, progress)
              : await apiUpload(file, title, jobs, progress));
            item.state = "done";
            item.progress = 1;
            item.video = body.video.id;
            showNotice("Uploaded " + file.name + ": " + body.video.status + ".");
            if (!$("list-view").hidden) addRow(body.video, true);
          } catch (error) {
            item.state = "failed";
            item.error = error.message;
          }
          delete item.resume;  // its URLs are of no more use
          saveUploads();
          showUpload(item);
        }

        /** A request through XMLHttpRequest (fetch cannot report upload progress): resolves with it when its status is `ok`. */
        function send(method, url, body, headers, progress, ok) {
          return new Promise((resolve, reject) => {
            const request = new XMLHttpRequest();
            uploads.requests.add(request);
            request.open(method, url);
            for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
            request.upload.onprogress = (event) => { if (event.lengthComputable) progress(event.loaded, event.total); };
            request.onload = () => {
              uploads.requests.delete(request);
              if (ok(request.status)) resolve(request);
              else reject(new APIError(errorMessage(request.status, request.responseText), request.status, errorCode(request.responseText)));
            };
            request.onerror = () => { uploads.requests.delete(request); reject(new APIError("the connection failed", 0, "network")); };
            request.onabort = () => { uploads.requests.delete(request); reject(new APIError("the upload was stopped", 0, "aborted")); };
            request.send(body);
          });
        }

        async function apiUpload(file, title, jobs, progress) {
          const form = new FormData();
          form.append("title", title);
          if (jobs.length) form.append("jobs", jobs.join(","));
          form.append("file", file, file.name);
          try {
            const request = await send("POST", "/v1/videos", form, { "Authorization": "Bearer " + apiKey() },
              (loaded, total) => progress(loaded / total), (status) => status === 202);
            return JSON.parse(request.responseText);
          } catch (error) {
            if (error.status === 401) signOut("The key was refused: " + error.message);
            throw error.status === 0 && error.code === "network" ? new APIError("the producer could not be reached during the upload", 0, "network") : error;
          }
        }

        /** A direct upload: started (or, with `item.resume`, picked up where a reload cut it: the pieces not yet sent), its
         * pieces PUT to S3 at most PARALLEL_PARTS at a time, then completed. What is sent is kept in `item.resume` as it goes. */
        async function directUpload(file, title, jobs, item, progress) {
          if (!item.resume) {
            const start = await api("POST", "/v1/uploads", { size: file.size, title, filename: file.name, jobs: jobs.length ? jobs : undefined });
            const pieces = start.parts
              ? start.parts.map((part) => ({ url: part.url, offset: (part.partNumber - 1) * start.partSize, headers: {} }))
              : [{ url: start.url, offset: 0, headers: { "Content-Type": (start.headers || {})["Content-Type"] || "application/octet-stream" } }];
            item.resume = { pieces, pieceSize: start.partSize || file.size, completeURL: start.completeURL, done: [], modified: file.lastModified };
            item.parts = start.parts ? start.parts.length : 0;
            saveUploads();
          }
          const resume = item.resume, size = resume.pieceSize;
          const length = (piece) => Math.min(file.size, piece.offset + size) - piece.offset;
          const loaded = resume.pieces.map((piece, index) => resume.done.includes(index) ? length(piece) : 0);
          const waiting = resume.pieces.map((_, index) => index).filter((index) => !resume.done.includes(index));
          item.done = resume.done.length;
          showUpload(item);
          const worker = async () => {
            while (waiting.length) {
              const index = waiting.shift(), piece = resume.pieces[index];
              const blob = file.slice(piece.offset, piece.offset + length(piece), piece.headers["Content-Type"] || "");
              await putPiece(piece, blob, (count) => { loaded[index] = count; progress(loaded.reduce((a, b) => a + b, 0) / file.size); });
              resume.done.push(index);
              item.done = resume.done.length;
              saveUploads();
            }
          };
          await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, waiting.length) }, worker));
          item.state = "completing";
          showUpload(item);
          return api("POST", resume.completeURL);
        }

        /** PUTs one piece to its presigned URL, trying three times when the connection fails or S3 answers 5xx. */
        async function putPiece(piece, blob, progress) {
          for (let attempt = 1; ; attempt += 1) {
            try {
              await send("PUT", piece.url, blob, piece.headers, (count) => progress(count), (status) => status >= 200 && status < 300);
              progress(blob.size);
              return;
            } catch (error) {
              progress(0);
              const retryable = (error.status === 0 && error.code === "network") || error.status >= 500;
              if (!retryable || attempt >= 3) {
                throw error.status === 0 && error.code === "network" ? new APIError("the browser could not send the file to S3 (the connection failed, "
                  + "or the bucket has no CORS rule that allows PUT from this page's origin)", 0, "network") : error;
              }
              await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
            }
          }
        }

        """#
}
