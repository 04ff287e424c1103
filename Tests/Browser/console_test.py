"""The producer's web console in a real headless Chromium, against a producer and a consumer on LocalStack.

Signs in with a bad key (an error, nothing stored) and a good one (kept in session storage, not local storage);
uploads a small file through the page (multipart POST) and follows it to `completed` in the list and in the video
view, where the player's source is the playback route and Chromium plays it, and the poster and sprite load; reloads
(the route, the key and the upload log survive); uploads a 20 MB file as a direct upload in parts (the threshold forced
low with `?direct=`) and follows it to `completed`; retries a failed video; cancels a queued one (the consumer paused
with SIGSTOP, so it stays queued) and deletes it (confirmed); pages the list; resumes a direct upload that a reload
cut (the network slowed through DevTools), sending only the missing parts; shows an unknown video's error; signs out.
Screenshots of the list and a video are kept in the artifacts folder.

    console_test.py --base URL --key KEY --consumer-pid PID --sample MP4 --large MKV --broken FILE --artifacts DIR

Prints `N passed, N failed` and exits non-zero on failure.
"""
import argparse
import json
import os
import signal
import sys
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
for name in ("base", "key", "consumer-pid", "sample", "large", "broken", "artifacts"):
    parser.add_argument("--" + name, required=True)
arguments = parser.parse_args()
base, key = arguments.base, arguments.key
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name} {detail}", flush=True)


def api(method, path):
    """The API's answer to `path` with the test's key: (status, JSON or None)."""
    request = urllib.request.Request(base + path, method=method, headers={"Authorization": "Bearer " + key})
    try:
        with urllib.request.urlopen(request) as response:
            body = response.read()
            return response.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait(condition, seconds, message):
    return WebDriverWait(driver, seconds, poll_frequency=0.2).until(condition, message)


def script(source, *values):
    return driver.execute_script(source, *values)


def choose(path):
    """Gives the page's (hidden) file input a file, as the chooser or a drop would."""
    file_input = driver.find_element(By.ID, "file")
    script("arguments[0].hidden = false", file_input)
    file_input.send_keys(path)
    script("arguments[0].hidden = true", file_input)


def drop(path):
    """Drops `path` on the page's drop zone: a DragEvent whose DataTransfer holds the file (read through a file input)."""
    source = script("const i = document.createElement('input'); i.type = 'file'; i.id = 'test-drop-source';"
                    "document.body.append(i); return i")
    source.send_keys(path)
    script("const i = document.getElementById('test-drop-source'), transfer = new DataTransfer();"
           "transfer.items.add(i.files[0]); i.remove();"
           "document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}))")


def start_upload(path, title, dropped=False):
    """Starts uploading `path` through the page (chosen, or dropped); its upload row's id."""
    driver.find_element(By.ID, "title").clear()
    driver.find_element(By.ID, "title").send_keys(title)
    first = "return (document.querySelector('#uploads li') || {}).id || ''"
    before = script(first)
    drop(path) if dropped else choose(path)
    return wait(lambda d: (lambda r: r != before and r)(d.execute_script(first)), 10, "no upload row")


def finish_upload(row_id, title):
    """The upload row's (state, mode, parts, video id, text) once it is done or failed."""
    attributes = "const r = document.getElementById(arguments[0]); return r && ['done', 'failed'].includes(r.dataset.state) && " \
                 "[r.dataset.state, r.dataset.mode, r.dataset.parts, r.dataset.video, r.innerText]"
    state = wait(lambda d: d.execute_script(attributes, row_id), 120, f"{title}: the upload did not finish")
    return state[0], state[1], int(state[2] or 0), state[3], state[4]


def upload(path, title, dropped=False):
    """Uploads `path` through the page (chosen, or dropped); the upload row's (state, mode, parts, video id, text) once
    it is done or failed."""
    return finish_upload(start_upload(path, title, dropped), title)


def row_status(video_id, wanted, seconds):
    """Waits until the list row of `video_id` shows one of `wanted`; the status shown."""
    def shown(d):
        status = d.execute_script("const r = document.getElementById(arguments[0]); return r ? r.dataset.status : null", "video-" + video_id)
        return status if status in wanted else False
    return wait(shown, seconds, f"the row of {video_id} never showed {wanted}")


def video_status(wanted, seconds):
    def shown(d):
        status = d.find_element(By.ID, "video-status").text
        return status if status in wanted else False
    return wait(shown, seconds, f"the video view never showed {wanted}")


def image_loaded(selector):
    """Waits until the image `selector` names has loaded; its natural width."""
    return wait(lambda d: d.execute_script("const i = document.querySelector(arguments[0]);"
                                           "return i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : 0", selector),
                30, f"{selector} did not load")


def screenshot(name, height):
    """A screenshot of the page `height` pixels tall, without the passing notice."""
    script("document.getElementById('notice').hidden = true")
    driver.set_window_size(1200, height)
    driver.save_screenshot(os.path.join(arguments.artifacts, name))
    driver.set_window_size(1200, 1000)


def open_page(path):
    driver.get(base + path)
    wait(lambda d: d.execute_script("return document.readyState") == "complete", 10, "the page did not load")


options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000", "--autoplay-policy=no-user-gesture-required"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
consumer = int(arguments.consumer_pid)
try:
    # A bad key: a readable error, nothing kept.
    open_page("/")
    check("the console loads", driver.title == "VideoQueue", driver.title)
    check("without a key it asks for one", driver.find_element(By.ID, "signin").is_displayed())
    driver.find_element(By.ID, "key").send_keys("vq_not_a_real_key")
    driver.find_element(By.ID, "key-submit").click()
    refused = wait(lambda d: d.find_element(By.ID, "key-error").text, 10, "no error for a bad key")
    check("a bad key is refused with the API's message", "refused" in refused and "HTTP 401" in refused, refused)
    check("a bad key is not stored", script("return sessionStorage.getItem('videoqueue.key')") is None)

    # The good key: kept in session storage only.
    driver.find_element(By.ID, "key").clear()
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.ID, "key-submit").click()
    wait(expected_conditions.visibility_of_element_located((By.ID, "list-view")), 10, "no list after signing in")
    check("the key is kept in session storage", script("return sessionStorage.getItem('videoqueue.key')") == key)
    check("nothing is kept in local storage", script("return localStorage.length") == 0)

    # A small upload through the producer (with HLS as well as the default jobs), followed to completed in the list.
    hls = driver.find_element(By.CSS_SELECTOR, "#jobs input[value=hls]")
    check("the producer's default jobs are ticked", not hls.is_selected() and all(
        driver.find_element(By.CSS_SELECTOR, f"#jobs input[value={job}]").is_selected() for job in ("transcode", "thumbnails")))
    hls.click()
    state, mode, parts, small_id, text = upload(arguments.sample, "Browser upload")
    hls.click()
    check("a small file is uploaded through the producer (multipart)", state == "done" and mode == "api" and small_id, f"{state} {mode} {text}")
    check("the new video is in the list", row_status(small_id, ("pending", "queued", "processing", "completed"), 15))
    check("the list follows it to completed", row_status(small_id, ("completed", "failed", "cancelled"), 240) == "completed")
    check("the list shows its poster through the playback route", image_loaded(f"#video-{small_id} img.poster") > 0)
    poster = driver.find_element(By.CSS_SELECTOR, f"#video-{small_id} img.poster").get_attribute("src")
    check("the poster's link is the playback route, without the key", "/v1/play/" in poster and key not in poster, poster)

    # The video view: outputs, the player, the sprite.
    driver.find_element(By.CSS_SELECTOR, f"#video-{small_id} .title a").click()
    wait(lambda d: d.current_url.endswith("#/videos/" + small_id), 10, "no video route")
    check("the video view shows completed", video_status(("completed",), 30) == "completed")
    check("the video view shows its title", driver.find_element(By.ID, "video-title").text == "Browser upload")
    groups = [g.get_attribute("data-group") for g in driver.find_elements(By.CSS_SELECTOR, "#outputs .group")]
    check("outputs are grouped (renditions, HLS, thumbnails, source)", {"Renditions", "HLS", "Thumbnails", "Source"} <= set(groups), groups)
    status, body = api("GET", "/v1/videos/" + small_id)
    check("the jobs chosen on the page were asked for", status == 200 and body["video"]["jobs"] == ["transcode", "hls", "thumbnails"]
          or sorted(body["video"]["jobs"]) == ["hls", "thumbnails", "transcode"], body and body["video"]["jobs"])
    master = driver.find_elements(By.CSS_SELECTOR, "#outputs .group[data-group=HLS] a[download='hls/master.m3u8']")
    check("the HLS group links the master playlist", len(master) == 1)
    links = driver.find_elements(By.CSS_SELECTOR, "#outputs .group[data-group=Renditions] a")
    check("renditions have download links", links and all(l.get_attribute("href").startswith("http") for l in links))
    wait(lambda d: d.find_elements(By.ID, "player"), 10, "no player")
    source = script("return document.getElementById('player').src")
    check("the player's source is the playback route, no key in it", "/v1/play/" in source and key not in source, source)
    script("document.getElementById('player').play().catch(() => {})")
    played = wait(lambda d: d.execute_script(
        "const p = document.getElementById('player');"
        "return p.error ? 'error ' + p.error.code + ' ' + p.error.message : (p.readyState >= 2 && p.duration > 0 ? 'ok' : '')"),
        30, "the video did not load")
    check("Chromium loads and plays the MP4", played == "ok", played)
    check("the sprite loads through the playback route", image_loaded("#sprite") > 0)
    check("cancel and retry are off, delete on, for a completed video",
          not driver.find_element(By.ID, "cancel").is_enabled() and not driver.find_element(By.ID, "retry").is_enabled()
          and driver.find_element(By.ID, "delete").is_enabled())
    screenshot("console-video.png", 1300)

    # A reload keeps the place, the key and the upload log.
    driver.refresh()
    check("a reload keeps the video's route", video_status(("completed",), 30) == "completed"
          and driver.current_url.endswith("#/videos/" + small_id))
    check("a reload keeps the key", script("return sessionStorage.getItem('videoqueue.key')") == key
          and not driver.find_element(By.ID, "signin").is_displayed())
    driver.find_element(By.CSS_SELECTOR, "#video-view a[href='#/videos']").click()
    wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#uploads li[data-state=done]"), 10, "no upload log")
    check("a reload keeps the upload log", driver.find_element(By.CSS_SELECTOR, "#uploads li").get_attribute("data-video") == small_id)

    # A direct upload in parts: the threshold forced to 1 MiB (the producer gives parts above 1 MiB too).
    open_page("/?direct=1048576#/videos")
    wait(expected_conditions.visibility_of_element_located((By.ID, "list-view")), 10, "no list")
    state, mode, parts, large_id, text = upload(arguments.large, "Direct upload", dropped=True)
    check("a large file dropped on the page goes straight to S3 in parts", state == "done" and mode == "direct" and parts >= 2, f"{state} {mode} {parts} {text}")
    puts = script("return performance.getEntriesByType('resource').filter(e => e.name.includes('partNumber=')).length")
    check("the browser PUT each part to its presigned URL", puts >= parts, f"{puts} part requests for {parts} parts")
    check("the direct upload completes", row_status(large_id, ("completed", "failed", "cancelled"), 240) == "completed")
    status, body = api("GET", "/v1/videos/" + large_id)
    check("the API has the direct upload's whole file", status == 200 and body["video"]["size"] == os.path.getsize(arguments.large),
          f"{status} {body and body['video']['size']}")

    # A failed video, retried from its page.
    state, mode, parts, broken_id, text = upload(arguments.broken, "Not a video")
    check("a broken file is accepted (it looks like an MP4)", state == "done" and broken_id, text)
    check("it fails", row_status(broken_id, ("completed", "failed", "cancelled"), 120) == "failed")
    driver.find_element(By.CSS_SELECTOR, f"#video-{broken_id} .title a").click()
    video_status(("failed",), 30)
    failure = wait(lambda d: d.find_element(By.ID, "video-error").text, 10, "no failure shown")
    check("the failure is shown with its code", "Failed:" in failure and "(" in failure, failure)
    check("retry is on and cancel off for a failed video",
          driver.find_element(By.ID, "retry").is_enabled() and not driver.find_element(By.ID, "cancel").is_enabled())
    driver.find_element(By.ID, "retry").click()
    notice = wait(lambda d: d.find_element(By.ID, "notice").is_displayed() and d.find_element(By.ID, "notice").text, 10, "no notice")
    check("retry queues it again", notice.startswith("Retrying") and any(s in notice for s in ("pending", "queued")), notice)
    status, body = api("GET", "/v1/videos/" + broken_id)
    check("the API saw the retry", status == 200 and body["video"]["attempts"] >= 1 and body["video"]["status"] in
          ("pending", "queued", "processing", "failed"), f"{status} {body and body['video']['status']}")
    video_status(("failed",), 120)

    # With the consumer paused, videos stay queued: cancel one (then delete it), and watch another complete live in
    # its view once the consumer goes on.
    os.kill(consumer, signal.SIGSTOP)
    try:
        driver.find_element(By.CSS_SELECTOR, "#video-view a[href='#/videos']").click()
        state, mode, parts, cancel_id, text = upload(arguments.sample, "To cancel")
        check("a video to cancel is uploaded", state == "done" and cancel_id, text)
        state, mode, parts, live_id, text = upload(arguments.sample, "Live progress")
        check("a video to watch is uploaded", state == "done" and live_id, text)
        row_status(cancel_id, ("pending", "queued"), 15)
        driver.find_element(By.CSS_SELECTOR, f"#video-{cancel_id} .title a").click()
        video_status(("pending", "queued"), 15)
        check("cancel is on and delete off for a queued video",
              driver.find_element(By.ID, "cancel").is_enabled() and not driver.find_element(By.ID, "delete").is_enabled())
        driver.find_element(By.ID, "cancel").click()
        check("cancel stops it", video_status(("cancelled",), 15) == "cancelled")
        script("location.hash = arguments[0]", "#/videos/" + live_id)
        check("a queued video's view shows it queued", video_status(("pending", "queued"), 15) in ("pending", "queued"))
    finally:
        os.kill(consumer, signal.SIGCONT)
    check("the video view follows it live to completed", video_status(("completed", "failed", "cancelled"), 240) == "completed")
    wait(lambda d: d.find_elements(By.ID, "player"), 15, "no player once completed")
    check("its player appears without a reload", "/v1/play/" in script("return document.getElementById('player').src"))

    script("location.hash = arguments[0]", "#/videos/" + cancel_id)
    video_status(("cancelled",), 15)
    check("a cancelled video cannot be retried but can be deleted",
          not driver.find_element(By.ID, "retry").is_enabled() and wait(lambda d: d.find_element(By.ID, "delete").is_enabled(), 10, "delete off"))
    driver.find_element(By.ID, "delete").click()
    alert = wait(expected_conditions.alert_is_present(), 5, "no confirmation")
    check("delete asks first", "cannot be undone" in alert.text, alert.text)
    alert.accept()
    wait(lambda d: d.current_url.endswith("#/videos") and d.find_element(By.ID, "list-view").is_displayed(), 10, "not back at the list")
    wait(lambda d: d.find_elements(By.ID, "video-" + small_id), 15, "the list did not load")
    check("a deleted video leaves the list", not driver.find_elements(By.ID, "video-" + cancel_id))
    check("the API no longer has it", api("GET", "/v1/videos/" + cancel_id)[0] == 404)

    # The list: posters, statuses; its screenshot.
    for video_id in (small_id, large_id, live_id):
        image_loaded(f"#video-{video_id} img.poster")
    screenshot("console-list.png", 1050)
    shown = {r.get_attribute("id")[6:]: r.get_attribute("data-status") for r in driver.find_elements(By.CSS_SELECTOR, "#videos li")}
    check("the list shows each video with its status",
          shown == {small_id: "completed", large_id: "completed", broken_id: "failed", live_id: "completed"}, shown)

    # Paging: two a page, then "More".
    open_page("/?limit=2#/videos")
    wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#videos li")) == 2, 10, "no first page")
    check("a page holds two, with More", driver.find_element(By.ID, "more").is_displayed())
    for _ in range(3):  # the last full page may still give a cursor to an empty one
        if not driver.find_element(By.ID, "more").is_displayed():
            break
        count = len(driver.find_elements(By.CSS_SELECTOR, "#videos li"))
        driver.find_element(By.ID, "more").click()
        wait(lambda d: not d.find_element(By.ID, "more").is_displayed() or len(d.find_elements(By.CSS_SELECTOR, "#videos li")) > count
             and d.find_element(By.ID, "more").is_enabled(), 10, "More did nothing")
    ids = [r.get_attribute("id") for r in driver.find_elements(By.CSS_SELECTOR, "#videos li")]
    check("More adds the next pages, each video once, then hides",
          len(ids) == 4 == len(set(ids)) and not driver.find_element(By.ID, "more").is_displayed(), ids)

    # A direct upload resumed after a reload: the upload slowed down (DevTools network conditions), the page reloaded
    # once a part is in S3, then the same file chosen again sends only the parts still missing.
    open_page("/?direct=1048576#/videos")
    wait(expected_conditions.visibility_of_element_located((By.ID, "list-view")), 10, "no list")
    driver.set_network_conditions(offline=False, latency=5, download_throughput=64 * 1024 * 1024, upload_throughput=3 * 1024 * 1024)
    try:
        row_id = start_upload(arguments.large, "Resumed upload")
        wait(lambda d: d.execute_script("const r = document.getElementById(arguments[0]);"
                                        "return r && r.dataset.state === 'uploading' && Number(r.dataset.done) >= 1", row_id),
             60, "no part of the slowed upload was sent")
    finally:
        driver.delete_network_conditions()
    driver.refresh()
    row = "const r = document.getElementById(arguments[0]); return r && [r.dataset.state, r.innerText, Number(r.dataset.done), Number(r.dataset.parts)]"
    state, text, done, parts = wait(lambda d: d.execute_script(row, row_id), 10, "the upload row did not survive the reload")
    check("a reload interrupts a direct upload, which offers to resume it",
          state == "interrupted" and "resume" in text and 1 <= done < parts, f"{state} {done}/{parts} {text}")
    choose(arguments.large)
    state, mode, parts, resumed_id, text = finish_upload(row_id, "Resumed upload")
    check("the same file chosen again resumes the upload in its row", state == "done" and resumed_id, text)
    puts = script("return performance.getEntriesByType('resource').filter(e => e.name.includes('partNumber=')).length")
    check("only the parts still missing are sent", puts == parts - done, f"{puts} PUTs, {done} of {parts} parts sent before the reload")
    check("the resumed upload completes", row_status(resumed_id, ("completed", "failed", "cancelled"), 240) == "completed")
    status, body = api("GET", "/v1/videos/" + resumed_id)
    check("the resumed upload has the whole file", status == 200 and body["video"]["size"] == os.path.getsize(arguments.large))

    # An unknown video: a clear error.
    open_page("/#/videos/00000000-0000-4000-8000-000000000000")
    message = wait(lambda d: d.find_element(By.ID, "error").is_displayed() and d.find_element(By.ID, "error-text").text, 10, "no error")
    check("an unknown video shows an error", "no video" in message, message)

    # Sign out forgets the key.
    driver.find_element(By.ID, "signout").click()
    check("sign out shows the key form", wait(lambda d: d.find_element(By.ID, "signin").is_displayed(), 5, "no key form"))
    check("sign out forgets the key", script("return sessionStorage.getItem('videoqueue.key')") is None)
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
              and ("Content Security Policy" in entry["message"] or "Uncaught" in entry["message"])]
    check("no script errors and no Content-Security-Policy violations", not errors, json.dumps(errors)[:500])
except TimeoutException as error:
    check("waiting", False, error.msg)
    driver.save_screenshot(os.path.join(arguments.artifacts, "console-failure.png"))
except Exception:
    check("no unexpected error", False, traceback.format_exc())
    driver.save_screenshot(os.path.join(arguments.artifacts, "console-failure.png"))
finally:
    try:
        for entry in driver.get_log("browser"):
            if entry["level"] in ("SEVERE", "WARNING"):
                print("browser:", entry["message"][:300])
    except Exception:
        pass
    driver.quit()

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
