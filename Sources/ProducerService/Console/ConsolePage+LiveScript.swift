extension ConsolePage {
    /// Live progress: up to four Server-Sent Events streams at once (read with `fetch`, so the key travels in the
    /// `Authorization` header; the producer caps open streams per key), every other unfinished video polled every
    /// four seconds. A stream that fails (`429 too_many_streams`, a dropped connection) falls back to polling; a
    /// finished stream hands its place to a polled video. Leaving a view stops them all.
    static let liveScript = #"""
        const live = {
          maxStreams: 4, pollMilliseconds: 4000,
          streams: new Map(), polled: new Map(), timer: null, generation: 0,

          /** Calls `onEvent({status, stage, progress, etaSeconds, error})` as the video changes, and `{gone: true}` once deleted. */
          follow(id, onEvent) {
            if (this.streams.has(id) || this.polled.has(id)) return;
            if (this.streams.size < this.maxStreams) this.stream(id, onEvent);
            else this.poll(id, onEvent);
          },

          stopAll() {
            this.generation += 1;
            for (const controller of this.streams.values()) controller.abort();
            this.streams.clear();
            this.polled.clear();
            clearTimeout(this.timer);
            this.timer = null;
          },

          async stream(id, onEvent) {
            const controller = new AbortController(), generation = this.generation;
            this.streams.set(id, controller);
            let finished = false;
            try {
              const response = await fetch("/v1/videos/" + id + "/events",
                { headers: { "Authorization": "Bearer " + apiKey(), "Accept": "text/event-stream" }, signal: controller.signal });
              if (response.status === 404) { finished = true; onEvent({ gone: true }); return; }
              if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
              const reader = response.body.getReader(), decoder = new TextDecoder();
              let buffer = "";
              while (!finished) {
                const { value, done } = await reader.read();
                if (done) break;
                buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
                let end;
                while (!finished && (end = buffer.indexOf("\n\n")) >= 0) {
                  const block = buffer.slice(0, end);
                  buffer = buffer.slice(end + 2);
                  const lines = block.split("\n");
                  const name = (lines.find((line) => line.startsWith("event:")) || "event: message").slice(6).trim();
                  const data = lines.filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\n");
                  if (name === "gone") { finished = true; onEvent({ gone: true }); break; }
                  if (!data) continue;
                  const event = JSON.parse(data);
                  if (generation !== this.generation) return;
                  onEvent(event);
                  if (FINAL.includes(event.status)) finished = true;
                }
              }
              controller.abort();
            } catch (_) {
              if (controller.signal.aborted && generation !== this.generation) return;
            } finally {
              if (this.streams.get(id) === controller) this.streams.delete(id);
              if (generation === this.generation) {
                if (!finished) this.poll(id, onEvent);
                this.promote();
              }
            }
          },

          /** Hands a free stream place to a polled video. */
          promote() {
            for (const [id, onEvent] of this.polled) {
              if (this.streams.size >= this.maxStreams) return;
              this.polled.delete(id);
              this.stream(id, onEvent);
            }
          },

          poll(id, onEvent) {
            this.polled.set(id, onEvent);
            if (!this.timer) this.timer = setTimeout(() => this.pollAll(), this.pollMilliseconds);
          },

          async pollAll() {
            this.timer = null;
            const generation = this.generation;
            for (const [id, onEvent] of [...this.polled]) {
              try {
                const body = await api("GET", "/v1/videos/" + id);
                if (generation !== this.generation) return;
                const video = body.video;
                onEvent({ status: video.status, stage: video.stage, progress: video.progress, etaSeconds: video.etaSeconds, error: video.error });
                if (FINAL.includes(video.status)) this.polled.delete(id);
              } catch (error) {
                if (generation !== this.generation) return;
                if (error.status === 404) { this.polled.delete(id); onEvent({ gone: true }); }
              }
            }
            if (this.polled.size && !this.timer && generation === this.generation) {
              this.timer = setTimeout(() => this.pollAll(), this.pollMilliseconds);
            }
          },
        };

        /** "processing · transcode 42 % · about 12 s left", from an event or a record. */
        function progressText(event) {
          const parts = [];
          if (event.stage) parts.push(event.stage);
          if (event.status === "processing") parts.push(Math.round(event.progress || 0) + " %");
          if (event.etaSeconds != null && event.status === "processing") parts.push("about " + Math.round(event.etaSeconds) + " s left");
          return parts.join(" · ");
        }

        """#
}
