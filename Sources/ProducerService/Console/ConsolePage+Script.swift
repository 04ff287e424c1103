import Foundation

extension ConsolePage {
    /// The whole script: the settings this producer gives it (job types and its default jobs), then the core, the list,
    /// the video view and the upload, and finally the start.
    static func script(jobs: [String], defaultJobs: [String]) -> String {
        let encoder = JSONEncoder()
        let names = (try? encoder.encode(jobs)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let defaults = (try? encoder.encode(defaultJobs)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return "\"use strict\";\nconst JOB_TYPES = \(names), DEFAULT_JOBS = \(defaults);\n"
            + coreScript + liveScript + listScript + videoScript + uploadScript + startScript
    }

    /// The core: settings from the query (`?direct=` bytes above which uploads go direct, `?limit=` videos per page),
    /// the key in session storage, API calls with readable errors, the error and notice banners, the hash router.
    static let coreScript = #"""
        const $ = (id) => document.getElementById(id);
        const KEY = "videoqueue.key", UPLOADS = "videoqueue.uploads";
        const FINAL = ["completed", "failed", "cancelled"], ACTIVE = ["pending", "queued", "processing"];
        const query = new URLSearchParams(location.search);
        const positive = (name, fallback) => { const value = Number(query.get(name)); return Number.isInteger(value) && value > 0 ? value : fallback; };
        /** Files above this many bytes go straight to S3 (a direct upload, in parts when large); others through POST /v1/videos. */
        const DIRECT_THRESHOLD = positive("direct", 64 * 1024 * 1024);
        const PAGE_SIZE = Math.min(100, positive("limit", 20));
        const PARALLEL_PARTS = 4;

        const apiKey = () => sessionStorage.getItem(KEY) || "";

        /** An API failure with the readable message, the HTTP status (0: not reached) and the API's error code. */
        class APIError extends Error {
          constructor(message, status, code) { super(message); this.status = status; this.code = code || ""; }
        }

        /** The API's JSON error ({"error": {"code", "message"}}), or S3's XML one, as a sentence. */
        function errorMessage(status, text) {
          try {
            const body = JSON.parse(text);
            if (body && body.error) return body.error.message + " (" + body.error.code + ", HTTP " + status + ")";
          } catch (_) { /* not JSON */ }
          const code = /<Code>([^<]*)<\/Code>/.exec(text || ""), message = /<Message>([^<]*)<\/Message>/.exec(text || "");
          if (code) return (message ? message[1] : code[1]) + " (S3 " + code[1] + ", HTTP " + status + ")";
          return "HTTP " + status + (text ? ": " + text.slice(0, 200) : "");
        }

        function errorCode(text) {
          try { return JSON.parse(text).error.code || ""; } catch (_) { return ""; }
        }

        /** A call to the API with the key; the parsed JSON answer (null when empty), or an APIError. A refused key signs out. */
        async function api(method, path, body) {
          const headers = { "Authorization": "Bearer " + apiKey() };
          const init = { method, headers };
          if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
          let response;
          try {
            response = await fetch(path, init);
          } catch (error) {
            throw new APIError("the producer could not be reached (" + error.message + ")", 0, "network");
          }
          const text = await response.text();
          if (!response.ok) {
            const error = new APIError(errorMessage(response.status, text), response.status, errorCode(text));
            if (response.status === 401) signOut("The key was refused: " + error.message);
            throw error;
          }
          return text ? JSON.parse(text) : null;
        }

        /** An element with attributes (`text` sets its text, `on…` a listener) and children. */
        function el(tag, attributes, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(attributes || {})) {
            if (value === undefined || value === null || value === false) continue;
            if (name === "text") node.textContent = value;
            else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
            else node.setAttribute(name, value === true ? "" : String(value));
          }
          for (const child of children) if (child !== null && child !== undefined) node.append(child);
          return node;
        }

        function bytes(count) {
          if (!Number.isFinite(count)) return "";
          const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
          let value = count, unit = 0;
          while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
          return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
        }

        /** `body` (an API answer with a `video`, or a record) with the video's id in lower case, as the routes write it. */
        function normalized(body) {
          const video = body && body.video ? body.video : body;
          if (video && video.id) video.id = String(video.id).toLowerCase();
          return body;
        }

        const when = (text) => text ? new Date(text).toLocaleString() : "";

        function showError(message) { $("error-text").textContent = message; $("error").hidden = false; }
        function clearError() { $("error").hidden = true; $("error-text").textContent = ""; }
        let noticeTimer = null;
        function showNotice(message) {
          $("notice").textContent = message; $("notice").hidden = false;
          clearTimeout(noticeTimer);
          noticeTimer = setTimeout(() => { $("notice").hidden = true; }, 8000);
        }

        /** Shows one view (`signin`, `list-view`, `video-view`) and the header for the key. */
        function showView(name) {
          for (const view of ["signin", "list-view", "video-view"]) $(view).hidden = view !== name;
          const key = apiKey();
          $("signout").hidden = !key;
          $("who").textContent = key ? "signed in with an API key" : "";
        }

        /** The view the hash names: `#/videos/{id}` a video, anything else the list; the sign-in form without a key. */
        function route() {
          live.stopAll();
          if (!apiKey()) { showView("signin"); $("key").focus(); return; }
          const match = /^#\/videos\/([0-9a-fA-F-]{36})$/.exec(location.hash);
          if (match) { showView("video-view"); openVideo(match[1].toLowerCase()); }
          else { showView("list-view"); openList(); }
        }

        /** Forgets the key (and this tab's upload log), stops what runs, and shows the sign-in form with `message`. */
        function signOut(message) {
          sessionStorage.removeItem(KEY);
          sessionStorage.removeItem(UPLOADS);
          stopUploads();
          live.stopAll();
          showView("signin");
          $("key-error").textContent = message || "";
        }

        async function submitKey(event) {
          event.preventDefault();
          const key = $("key").value.trim();
          if (!key) { $("key-error").textContent = "Enter an API key."; return; }
          $("key-submit").disabled = true;
          $("key-error").textContent = "";
          try {
            const response = await fetch("/v1/videos?limit=1", { headers: { "Authorization": "Bearer " + key } });
            if (!response.ok) {
              $("key-error").textContent = "The key was refused: " + errorMessage(response.status, await response.text());
              return;
            }
            sessionStorage.setItem(KEY, key);
            $("key").value = "";
            clearError();
            route();
          } catch (error) {
            $("key-error").textContent = "The producer could not be reached: " + error.message;
          } finally {
            $("key-submit").disabled = false;
          }
        }

        """#

    /// The page's start: listeners, the upload log from session storage, the first view.
    static let startScript = #"""
        $("key-form").addEventListener("submit", submitKey);
        $("signout").addEventListener("click", () => { signOut(""); });
        $("error-close").addEventListener("click", clearError);
        $("more").addEventListener("click", loadPage);
        $("refresh").addEventListener("click", () => { clearError(); live.stopAll(); openList(); });
        window.addEventListener("hashchange", () => { clearError(); route(); });
        setUpUploads();
        route();
        """#
}
