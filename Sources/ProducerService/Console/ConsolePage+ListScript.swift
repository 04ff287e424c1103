extension ConsolePage {
    /// The list view: the owner's videos newest first, a page at a time ("More" follows the cursor), each with its
    /// status badge, live progress while unfinished, and its poster (the `thumbnails/poster` output, through the
    /// playback route) once completed.
    static let listScript = #"""
        const list = { cursor: null, rows: new Map(), posters: new Map() };

        async function openList() {
          list.cursor = null;
          list.rows.clear();
          $("videos").replaceChildren();
          $("more").hidden = true;
          $("empty").hidden = true;
          renderUploads();
          await loadPage();
        }

        async function loadPage() {
          const path = "/v1/videos?limit=" + PAGE_SIZE + (list.cursor ? "&cursor=" + encodeURIComponent(list.cursor) : "");
          $("more").disabled = true;
          try {
            const page = await api("GET", path);
            if ($("list-view").hidden) return;
            for (const video of page.videos) addRow(normalized(video), false);
            list.cursor = page.nextCursor || null;
            $("more").hidden = !list.cursor;
            $("empty").hidden = list.rows.size > 0;
          } catch (error) {
            showError("The videos could not be listed: " + error.message);
          } finally {
            $("more").disabled = false;
          }
        }

        /** Adds (or updates) the row of `video`, at the top when `first`; follows it while it is unfinished. */
        function addRow(video, first) {
          let row = list.rows.get(video.id);
          if (!row) {
            const link = "#/videos/" + video.id;
            row = el("li", { id: "video-" + video.id },
              el("a", { href: link, class: "thumb-link", "aria-hidden": "true", tabindex: "-1" }, el("div", { class: "thumb" })),
              el("div", { class: "title" }, el("a", { href: link, text: video.title || video.originalFilename || video.id }),
                el("small", { text: [video.originalFilename, bytes(video.size), when(video.createdAt)].filter(Boolean).join(" · ") })),
              el("div", {}, el("span", { class: "badge status" })),
              el("div", { class: "progress-cell" }, el("progress", { max: "100", value: "0" }), el("small", { class: "muted stage" })));
            list.rows.set(video.id, row);
            if (first) $("videos").prepend(row); else $("videos").append(row);
            $("empty").hidden = true;
          }
          updateRow(video.id, video);
          if (ACTIVE.includes(video.status)) live.follow(video.id, (event) => onRowEvent(video.id, event));
          if (video.status === "completed") showPoster(video);
        }

        /** Shows a status (from a record or an event) on a video's row. */
        function updateRow(id, state) {
          const row = list.rows.get(id);
          if (!row) return;
          row.dataset.status = state.status;
          const badge = row.querySelector(".status");
          badge.textContent = state.status;
          badge.className = "badge status " + state.status;
          const bar = row.querySelector("progress"), active = ACTIVE.includes(state.status);
          bar.hidden = !active;
          bar.value = state.status === "processing" ? state.progress || 0 : 0;
          row.querySelector(".stage").textContent = state.status === "failed" && state.error
            ? state.error.code + ": " + state.error.message : active ? progressText(state) : "";
        }

        async function onRowEvent(id, event) {
          if (event.gone) { removeRow(id); return; }
          updateRow(id, event);
          if (event.status === "completed") {
            try { showPoster(normalized(await api("GET", "/v1/videos/" + id)).video); } catch (_) { /* the row stays without its poster */ }
          }
        }

        function removeRow(id) {
          const row = list.rows.get(id);
          if (row) row.remove();
          list.rows.delete(id);
          $("empty").hidden = list.rows.size > 0;
        }

        /** The poster of a completed video with a `thumbnails/poster` output: its playback link (cached until it expires). */
        async function showPoster(video) {
          const output = (video.outputs || []).find((item) => item.kind === "thumbnails/poster");
          if (!output) return;
          let cached = list.posters.get(video.id);
          if (!cached || Date.parse(cached.expiresAt) - Date.now() < 60000) {
            try {
              const body = await api("GET", "/v1/videos/" + video.id);
              const url = body.playback && body.playback.files[output.key];
              if (!url) return;
              cached = { url, expiresAt: body.playback.expiresAt };
              list.posters.set(video.id, cached);
            } catch (_) { return; }
          }
          const row = list.rows.get(video.id);
          if (!row) return;
          const image = el("img", { class: "thumb poster", alt: "Poster of " + (video.title || video.id), src: cached.url });
          row.querySelector(".thumb").replaceWith(image);
        }

        """#
}
