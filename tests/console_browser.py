"""The console in a real browser: Debian's headless chromium, driven through chromedriver by
Selenium. Run by tests/console.rs (console_in_a_real_browser) against a `hooknorm serve` it
started and fed; arguments come in the environment:

  CONSOLE_BASE   the service's base URL       CONSOLE_TOKEN  the admin token
  CONSOLE_SPEC   the watched spec file to break  CONSOLE_SHOTS  where to write screenshots
  CONSOLE_DEAD_KEY / CONSOLE_DELIVERED_KEY / CONSOLE_XSS_KEY  resource ids of the three events

Exits non-zero, saying what failed, at the first check that does not hold.
"""

import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BASE = os.environ["CONSOLE_BASE"]
TOKEN = os.environ["CONSOLE_TOKEN"]
SPEC = os.environ["CONSOLE_SPEC"]
SHOTS = os.environ["CONSOLE_SHOTS"]
DEAD = os.environ["CONSOLE_DEAD_KEY"]
DELIVERED = os.environ["CONSOLE_DELIVERED_KEY"]
XSS = os.environ["CONSOLE_XSS_KEY"]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def wait_for(what, f, secs=15.0):
    end = time.time() + secs
    while time.time() < end:
        try:
            if f():
                return
        except WebDriverException:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out waiting: " + what)


def click_and_wait_for_next_page(what, element):
    """Clicks a form's submit button and waits until the page it was on is gone. The click can
    return before the browser has started the form's navigation (seen on a loaded CI machine);
    reading the page at once then still sees the old one."""
    element.click()

    def gone():
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True

    wait_for(what, gone)


def rows(driver, table):
    return driver.find_elements(By.CSS_SELECTOR, "#%s tbody tr[data-id]" % table)


def row_with(driver, table, text):
    for r in rows(driver, table):
        if text in r.text:
            return r
    return None


def login(driver, token):
    driver.get(BASE + "/console")
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    click_and_wait_for_next_page("the login's answer",
                                 driver.find_element(By.ID, "login-button"))


def main():
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,860"):
        opts.add_argument(a)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=opts, service=service)
    try:
        run(driver)
    finally:
        driver.quit()


def run(driver):
    # A wrong token gets the login form again, and no event.
    login(driver, TOKEN + "x")
    check(driver.find_elements(By.ID, "login"), "the login form after a wrong token")
    check("not the admin token" in driver.find_element(By.ID, "error").text,
          "the wrong-token message")
    check(not driver.find_elements(By.ID, "events"), "no events table for a wrong token")
    check(DELIVERED not in driver.page_source, "no event data for a wrong token")
    check(driver.get_cookies() == [], "no cookie for a wrong token")
    shot(driver, "01-wrong-token")

    # The right token: the events, most recent first.
    login(driver, TOKEN)
    wait_for("the events table", lambda: driver.find_elements(By.ID, "events"))
    wait_for("the delivered event's row", lambda: row_with(driver, "events", DELIVERED))
    check(len(rows(driver, "events")) == 3, "three rows, got %d" % len(rows(driver, "events")))
    ids = [int(r.get_attribute("data-id")) for r in rows(driver, "events")]
    check(ids == sorted(ids, reverse=True), "most recent first: %r" % ids)
    delivered = row_with(driver, "events", DELIVERED)
    check("delivered" in delivered.text and "PAYMENT_INTENT_SUCCESS" in delivered.text
          and "INR" in delivered.text, "the delivered row: " + delivered.text)
    check("dead" in row_with(driver, "events", DEAD).text, "the dead row")
    # The attacker's <script> is text on the page, and never ran.
    xss = row_with(driver, "events", "<script>")
    check(xss is not None, "the <script> resource id shown as text")
    check(driver.execute_script("return typeof window.hooknormXss") == "undefined",
          "the injected script did not run")
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg rect")) > 2, "the charts' bars")
    check("razorpay: 3" in driver.find_element(By.CSS_SELECTOR, "#chart-1 .legend").text,
          "the events chart's legend")
    check("InvalidSignature: 1" in driver.find_element(By.CSS_SELECTOR, "#chart-2 .legend").text,
          "the failures chart's legend counts the forged webhook")
    check("pay_forged_1" not in driver.page_source, "a forged webhook is no event")
    shot(driver, "02-events")

    # Filtered by delivery state.
    driver.get(BASE + "/console?state=dead")
    check(len(rows(driver, "events")) == 1 and row_with(driver, "events", DEAD),
          "the dead filter shows the dead letter only")

    # One event: the normalized event and its delivery attempts.
    driver.get(BASE + "/console")
    row_with(driver, "events", DELIVERED).find_element(By.TAG_NAME, "a").click()
    wait_for("the event page", lambda: driver.find_elements(By.ID, "event-json"))
    check(DELIVERED in driver.find_element(By.ID, "event-json").text, "the event's JSON")
    check("verified" in driver.find_element(By.ID, "verification").text, "the verification")
    statuses = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#attempts td.status")]
    check(statuses == ["200"], "one attempt answered 200: %r" % statuses)
    shot(driver, "03-event")

    # The <script> event's page shows it escaped, and it does not run there either.
    driver.get(BASE + "/console")
    row_with(driver, "events", "<script>").find_element(By.TAG_NAME, "a").click()
    wait_for("the <script> event's page", lambda: driver.find_elements(By.ID, "event-json"))
    check("<script>window.hooknormXss=1</script>" in
          driver.find_element(By.ID, "event-json").text, "the script shown as text")
    check(driver.execute_script("return typeof window.hooknormXss") == "undefined",
          "the injected script did not run on the event page")

    # Dead letters: select the dead one, replay, and see it delivered.
    driver.get(BASE + "/console/dead")
    dead = row_with(driver, "dead", DEAD)
    check(dead is not None, "the dead letter listed")
    dead_id = dead.get_attribute("data-id")
    shot(driver, "04-dead-letters")
    driver.find_element(By.ID, "select-" + dead_id).click()
    driver.find_element(By.ID, "replay-selected").click()
    wait_for("the replay notice", lambda: "1 event(s) replayed"
             in driver.find_element(By.ID, "notice").text)

    def delivered_now():
        driver.get(BASE + "/console/events/" + dead_id)
        return driver.find_element(By.ID, "state").text.startswith("delivered")

    wait_for("the replayed event delivered", delivered_now)
    statuses = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#attempts td.status")]
    check(statuses[-1] == "200" and "500" in statuses, "attempts 500 then 200: %r" % statuses)
    shot(driver, "05-replayed")

    # The forged webhook among the rejected ones, with the verification step that failed.
    driver.find_element(By.LINK_TEXT, "Rejected").click()
    wait_for("the rejected table", lambda: driver.find_elements(By.ID, "rejected"))
    rejected = driver.find_elements(By.CSS_SELECTOR, "#rejected tr.rejection")
    check(len(rejected) == 1, "one rejected webhook, got %d" % len(rejected))
    check("InvalidSignature" in rejected[0].text and "razorpay" in rejected[0].text,
          "the rejection: " + rejected[0].text)
    failed = rejected[0].find_elements(By.CSS_SELECTOR, ".steps li.failed")
    check(len(failed) == 1 and failed[0].text.startswith("signature"),
          "the failed step is the signature: %r" % [f.text for f in failed])
    check("00" * 32 not in driver.page_source, "the signature value is not shown")
    shot(driver, "06-rejected")

    # A broken edit of a watched spec shows with its file, line, column and key.
    with open(SPEC, "a") as f:
        f.write("\nnot_a_spec_key: true\n")

    def spec_error_shown():
        driver.get(BASE + "/console/connectors")
        t = driver.find_elements(By.ID, "spec-errors")
        return t and os.path.basename(SPEC) in t[0].text and "not_a_spec_key" in t[0].text

    wait_for("the broken spec's error", spec_error_shown)
    cells = driver.find_elements(By.CSS_SELECTOR, "#spec-errors tbody td")
    check(int(cells[1].text) > 0, "the error's line: %r" % cells[1].text)
    check("razorpay" in driver.find_element(By.ID, "connectors").text,
          "the previous razorpay spec keeps serving")
    shot(driver, "07-connectors")

    # Logged out, the console shows nothing again.
    click_and_wait_for_next_page("the logout's answer",
                                 driver.find_element(By.CSS_SELECTOR, ".logout button"))
    driver.get(BASE + "/console")
    check(driver.find_elements(By.ID, "login") and not driver.find_elements(By.ID, "events"),
          "logged out")
    print("console browser checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("console browser check failed: %s" % e, file=sys.stderr)
        sys.exit(1)
