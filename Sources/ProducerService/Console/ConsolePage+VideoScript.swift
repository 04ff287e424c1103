extension ConsolePage {
    /// The video view (`#/videos/{id}`): the record's details, live progress while unfinished, its outputs grouped by job
    /// (renditions, HLS, thumbnails, captions, other) with download links, the MP4 player and the sprite through the
    /// playback route, and cancel (while pending, queued or processing), retry (once failed) and delete (once finished,
    /// after a confirmation).
    static let videoScript = #"""
        const view = { id: null, video: null };
        const GROUPS = [["transcode", "Renditions"], ["hls", "HLS"], ["thumbnails", "Thumbnails"], ["transcribe", "Captions"]];

        async function openVideo(id) {
          if (view.id !== id) {
            view.id = id;
            view.video = null;
            $("video-title").textContent = "Loading…";
            for (const box of ["player-box", "sprite-box", "outputs", "video-meta"]) $(box).replaceChildren();
            $("video-error").hidden = true;
            setButtons(null);
          }
          try {
            const body = await api("GET", "/v1/videos/" + id);
            if (view.id !== id || $("video-view").hidden) return;
            renderVideo(normalized(body));
          } catch (error) {
            if (view.id !== id) return;
            $("video-title").textContent = "Video " + id;
            showError(error.status === 404 ? "There is no video " + id + " for this key (it may have been deleted)."
              : "The video could not be loaded: " + error.message);
          }
        }

        function renderVideo(body) {
          const video = body.video;
          view.video = video;
          $("video-title").textContent = video.title || video.originalFilename || video.id;
          showVideoState(video);
          renderMeta(body);
          renderOutputs(body);
          renderMedia(body);
          const id = video.id;
          if (ACTIVE.includes(video.status)) live.follow(id, (event) => onVideoEvent(id, event));
        }

        /** The status line, the failure and the buttons for a status (from the record or an event). */
        function showVideoState(state) {
          const badge = $("video-status");
          badge.textContent = state.status;
          badge.className = "badge " + state.status;
          $("video-stage").textContent = ACTIVE.includes(state.status) ? progressText(state) : "";
          const bar = $("video-progress");
          bar.hidden = state.status !== "processing";
          bar.value = state.progress || 0;
          const failure = $("video-error");
          failure.hidden = !(state.status === "failed" && state.error);
          failure.textContent = state.error ? "Failed: " + state.error.message + " (" + state.error.code + ")" : "";
          setButtons(state.status);
        }

        function setButtons(status) {
          $("cancel").disabled = !ACTIVE.includes(status);
          $("retry").disabled = status !== "failed";
          $("delete").disabled = !FINAL.includes(status);
        }

        function onVideoEvent(id, event) {
          if (view.id !== id) return;
          if (event.gone) { showError("This video was deleted."); setButtons(null); return; }
          showVideoState(event);
          if (FINAL.includes(event.status)) openVideo(id);
        }

        function renderMeta(body) {
          const video = body.video, rows = [
            ["ID", video.id], ["File", video.originalFilename], ["Size", bytes(video.size)], ["Type", video.contentType],
            ["Jobs", (video.jobs || []).join(", ")], ["Preset", video.preset], ["Attempts", String(video.attempts)],
            ["Created", when(video.createdAt)], ["Queued", when(video.queuedAt)], ["Started", when(video.startedAt)],
            ["Finished", when(video.finishedAt)],
            ["Queue position", body.queuePosition != null ? body.queuePosition + " ahead" : ""],
            ["Expected wait", body.estimatedWaitSeconds != null ? "about " + body.estimatedWaitSeconds + " s" : ""],
            ["Deleted after", when(body.expiresAt)],
            ["Metadata", video.metadata ? JSON.stringify(video.metadata) : ""],
          ];
          $("video-meta").replaceChildren(...rows.filter(([, value]) => value).flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]));
        }

        /** The outputs grouped by the job that made them (their kind's prefix), each with its download link. */
        function renderOutputs(body) {
          const video = body.video, downloads = body.downloads || {}, groups = new Map();
          for (const output of video.outputs || []) {
            const job = output.kind.split("/")[0];
            const group = (GROUPS.find(([prefix]) => prefix === job) || [job, "Other"])[1];
            if (!groups.has(group)) groups.set(group, []);
            groups.get(group).push(output);
          }
          const boxes = [];
          for (const name of [...GROUPS.map(([, title]) => title), "Other"]) {
            const outputs = groups.get(name);
            if (!outputs) continue;
            outputs.sort((a, b) => a.key.localeCompare(b.key));
            // HLS segments are counted, not listed (the playlists name them); thumbnail frames are folded away.
            const segments = outputs.some((output) => output.kind.startsWith("hls/")) ? (body.hlsSegments || 0) : 0;
            const frames = outputs.filter((output) => output.kind === "thumbnails/frame");
            const shown = outputs.filter((output) => output.kind !== "hls/segment" && output.kind !== "thumbnails/frame");
            const item = (output) => {
              const file = output.key.split("/").slice(2).join("/");
              const details = [output.kind, output.width && output.height ? output.width + "×" + output.height : "",
                output.duration ? output.duration.toFixed(1) + " s" : "", bytes(output.size)].filter(Boolean).join(" · ");
              const url = downloads[output.key];
              return el("li", {}, url ? el("a", { href: url, download: file, text: file }) : el("span", { text: file }),
                el("span", { class: "muted", text: details }));
            };
            boxes.push(el("div", { class: "group", "data-group": name }, el("h4", { text: name + " (" + (outputs.length + segments) + ")" }),
              el("ul", {}, ...shown.map(item),
                segments ? el("li", { class: "muted", text: segments + (segments === 1 ? " segment" : " segments") + " (played through the playlists)" }) : null),
              frames.length ? el("details", {}, el("summary", { text: frames.length + " frames" }), el("ul", {}, ...frames.map(item))) : null));
          }
          if (downloads.source) {
            boxes.push(el("div", { class: "group", "data-group": "Source" }, el("h4", { text: "Source" }),
              el("ul", {}, el("li", {}, el("a", { href: downloads.source, text: video.originalFilename || "source" }),
                el("span", { class: "muted", text: bytes(video.size) })))));
          }
          $("outputs").replaceChildren(...(boxes.length ? boxes : [el("p", { class: "muted", text: "No outputs yet." })]));
        }

        /** The largest MP4 rendition in a player and the sprite sheet, through the playback route (no key in their URLs). */
        function renderMedia(body) {
          const files = (body.playback && body.playback.files) || {}, outputs = body.video.outputs || [];
          const renditions = outputs.filter((output) => output.kind.startsWith("transcode/") && output.key.endsWith(".mp4") && files[output.key])
            .sort((a, b) => (b.height || 0) - (a.height || 0));
          const poster = outputs.find((output) => output.kind === "thumbnails/poster" && files[output.key]);
          const sprite = outputs.find((output) => output.kind === "thumbnails/sprite" && files[output.key]);
          if (renditions.length) {
            const player = el("video", { id: "player", controls: true, muted: true, preload: "auto", playsinline: true,
              poster: poster ? files[poster.key] : null, src: files[renditions[0].key] });
            player.muted = true;
            const choices = renditions.length > 1 ? el("select", { id: "rendition", "aria-label": "Rendition", onchange: (event) => {
              player.src = event.target.value;
            } }, ...renditions.map((output) => el("option", { value: files[output.key], text: (output.height ? output.height + "p" : output.key) }))) : null;
            $("player-box").replaceChildren(...[player, choices].filter(Boolean));
          } else {
            $("player-box").replaceChildren(el("p", { class: "muted", text: body.video.status === "completed"
              ? "No MP4 rendition to play (the video did not ask for transcode)." : "The player appears once the video is completed." }));
          }
          $("sprite-box").replaceChildren(...(sprite ? [el("img", { id: "sprite", alt: "Sprite sheet", src: files[sprite.key] })] : []));
        }

        async function control(action) {
          const video = view.video;
          if (!video) return;
          const title = "“" + (video.title || video.id) + "”";
          if (action === "delete" && !confirm("Delete " + title + " with its source and every output? This cannot be undone.")) return;
          for (const button of ["cancel", "retry", "delete"]) $(button).disabled = true;
          try {
            if (action === "cancel") {
              const body = await api("DELETE", "/v1/videos/" + video.id);
              showNotice("Cancelled " + title + ": it is " + body.video.status + ".");
            } else if (action === "retry") {
              const body = await api("POST", "/v1/videos/" + video.id + "/retry");
              showNotice("Retrying " + title + ": it is " + body.video.status + " again.");
            } else {
              await api("DELETE", "/v1/videos/" + video.id);
              showNotice("Deleted " + title + ".");
              location.hash = "#/videos";
              return;
            }
            live.stopAll();
            await openVideo(video.id);
          } catch (error) {
            showError("Could not " + action + " " + title + ": " + error.message);
            setButtons(video.status);
          }
        }

        $("cancel").addEventListener("click", () => control("cancel"));
        $("retry").addEventListener("click", () => control("retry"));
        $("delete").addEventListener("click", () => control("delete"));

        """#
}
