/// `GET /`: a small upload page with no build step and no external assets. It keeps the API key in the
/// browser's local storage, uploads with a progress bar (XMLHttpRequest), follows the record's progress
/// through the events stream (read with `fetch`, so the key travels in a header, not in the URL), links
/// the outputs when the video is done and plays its MP4 rendition through the playback route.
enum UploadPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VideoQueue</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1d2733; }
  h1 { font-size: 1.4rem; } label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
  input[type=text], input[type=password] { width: 100%; padding: .45rem; box-sizing: border-box; }
  #drop { border: 2px dashed #8aa; border-radius: 8px; padding: 1.6rem; text-align: center; margin: 1rem 0; cursor: pointer; }
  #drop.over { background: #eef7f7; }
  progress { width: 100%; height: 1.1rem; }
  button { padding: .5rem 1.2rem; font-size: 1rem; }
  #status { font-weight: 600; } .error { color: #b00020; } ul { padding-left: 1.2rem; } code { font-size: .85em; }
</style>
</head>
<body>
<h1>VideoQueue — upload a video</h1>
<label for="key">API key</label>
<input id="key" type="password" autocomplete="off" placeholder="vq_…">
<label for="title">Title</label>
<input id="title" type="text" maxlength="500" placeholder="My video">
<div id="drop" tabindex="0">Drop a video here, or click to choose one<br><small id="chosen"></small></div>
<input id="file" type="file" accept="video/*" hidden>
<button id="upload" disabled>Upload</button>
<p><progress id="bar" max="100" value="0"></progress></p>
<p>Status: <span id="status">waiting for a file</span> <span id="detail"></span></p>
<ul id="outputs"></ul>
<div id="playback"></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const keyInput = $("key"), fileInput = $("file"), drop = $("drop"), button = $("upload");
keyInput.value = localStorage.getItem("videoqueue.key") || "";
let chosen = null;
function choose(file) { chosen = file; $("chosen").textContent = file ? file.name + " (" + file.size + " bytes)" : ""; button.disabled = !file; }
function show(status, detail, isError) { $("status").textContent = status; $("detail").textContent = detail || ""; $("status").className = isError ? "error" : ""; }
drop.addEventListener("click", () => fileInput.click());
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") fileInput.click(); });
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]); });
fileInput.addEventListener("change", () => choose(fileInput.files[0] || null));
button.addEventListener("click", () => {
  if (!chosen) return;
  const key = keyInput.value.trim();
  localStorage.setItem("videoqueue.key", key);
  const form = new FormData();
  form.append("title", $("title").value || chosen.name);
  form.append("file", chosen, chosen.name);
  const request = new XMLHttpRequest();
  request.open("POST", "/v1/videos");
  request.setRequestHeader("Authorization", "Bearer " + key);
  request.upload.onprogress = (e) => { if (e.lengthComputable) { $("bar").value = 100 * e.loaded / e.total; show("uploading", Math.round(100 * e.loaded / e.total) + " %"); } };
  request.onerror = () => show("upload failed", "network error", true);
  request.onload = () => {
    let body = {};
    try { body = JSON.parse(request.responseText); } catch (_) {}
    if (request.status !== 202) { show("rejected", body.error ? body.error.code + ": " + body.error.message : "HTTP " + request.status, true); return; }
    $("bar").value = 0;
    show(body.video.status, body.queuePosition != null ? "(" + body.queuePosition + " ahead)" : "");
    follow(body.video.id, key);
  };
  button.disabled = true;
  show("uploading", "0 %");
  request.send(form);
});
async function follow(id, key) {
  const response = await fetch("/v1/videos/" + id + "/events", { headers: { "Authorization": "Bearer " + key } });
  const reader = response.body.getReader(), decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (!data) continue;
      const event = JSON.parse(data);
      $("bar").value = event.progress || 0;
      const eta = event.etaSeconds != null ? ", about " + event.etaSeconds + " s left" : "";
      show(event.status, (event.stage ? event.stage + " " : "") + (event.status === "processing" ? Math.round(event.progress) + " %" + eta : "") +
           (event.error ? event.error.code + ": " + event.error.message : ""), event.status === "failed");
      if (["completed", "failed", "cancelled"].includes(event.status)) { await outputs(id, key); return; }
    }
  }
}
async function outputs(id, key) {
  const response = await fetch("/v1/videos/" + id, { headers: { "Authorization": "Bearer " + key } });
  if (!response.ok) return;
  const body = await response.json(), list = $("outputs");
  list.innerHTML = "";
  for (const [name, url] of Object.entries(body.downloads || {})) {
    const item = document.createElement("li"), link = document.createElement("a");
    link.href = url; link.textContent = name; item.appendChild(link); list.appendChild(item);
  }
  // A finished video plays from the private bucket through its playback links (no key in the URL).
  const files = Object.entries((body.playback || {}).files || {}).filter(([name]) => name.endsWith(".mp4")).sort();
  if (files.length) {
    const player = document.createElement("video");
    player.id = "player"; player.controls = true; player.muted = true; player.preload = "auto";
    player.src = files[files.length - 1][1];
    $("playback").replaceChildren(player);
  }
  button.disabled = false;
}
</script>
</body>
</html>
"""#
}
