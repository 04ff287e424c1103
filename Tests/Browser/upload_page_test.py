"""The producer's upload page in a real headless Chromium: pick a file, upload it, follow the video to
`completed` (a consumer runs beside), see the page's player take its MP4 rendition from the playback route, and
keep a screenshot as a test artifact.

    upload_page_test.py BASE_URL API_KEY VIDEO_FILE SCREENSHOT_PATH

Prints `N passed, N failed` and exits non-zero on failure.
"""
import json
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, key, video, screenshot = sys.argv[1:5]
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,800"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(base + "/")
    check("the page loads", driver.title == "VideoQueue", driver.title)
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.ID, "title").send_keys("Browser upload")
    file_input = driver.find_element(By.ID, "file")
    driver.execute_script("arguments[0].hidden = false", file_input)
    file_input.send_keys(video)
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "upload").is_enabled())
    driver.find_element(By.ID, "upload").click()
    reached = WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.ID, "status").text in ("queued", "processing", "completed", "rejected", "upload failed")
        and d.find_element(By.ID, "status").text)
    check("the video reaches queued", reached in ("queued", "processing", "completed"), f"status: {reached}")
    finished = WebDriverWait(driver, 180).until(
        lambda d: d.find_element(By.ID, "status").text in ("completed", "failed", "cancelled") and d.find_element(By.ID, "status").text)
    check("the video completes", finished == "completed", f"status: {finished}")
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "player"))
    src = driver.execute_script("return document.getElementById('player').src")
    check("the player's source is the playback route, no key in the URL", "/v1/play/" in src and key not in src, src)
    # The player's source answers with the MP4 from the private bucket (the route redirects to a presigned URL that
    # LocalStack checks), and Chromium decodes it (the page's CSP allows media from S3).
    response = urllib.request.urlopen(urllib.request.Request(src, headers={"Range": "bytes=0-"}))
    head = response.read(12)
    check("the player's link serves the MP4 from the private bucket",
          response.status in (200, 206) and response.headers.get("Content-Type") == "video/mp4" and head[4:8] == b"ftyp"
          and "X-Amz-Signature=" in response.geturl(), f"{response.status} {response.geturl()[:100]}")
    driver.execute_script("document.getElementById('player').play().catch(() => {})")
    played = WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "const p = document.getElementById('player');"
        "return p.error ? 'error ' + p.error.code + ' ' + p.error.message : (p.readyState >= 2 && p.duration > 0 ? 'ok' : '')"))
    check("headless Chromium plays the finished video", played == "ok", played)
    driver.save_screenshot(screenshot)
    check("a screenshot is kept", open(screenshot, "rb").read(8) == b"\x89PNG\r\n\x1a\n")
    request = urllib.request.Request(base + "/v1/videos", headers={"Authorization": "Bearer " + key})
    videos = json.load(urllib.request.urlopen(request))["videos"]
    check("the API lists the uploaded video", any(v["title"] == "Browser upload" for v in videos), json.dumps(videos)[:200])
finally:
    driver.quit()

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
