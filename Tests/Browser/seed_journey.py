#!/usr/bin/env python3
"""The seed's journey in headless Chromium, as a person walks it.

Starts ups-sandbox and ipm-server (the built binaries) on loopback ports against the
database given, creates an admin and a company with the `ipm` CLI, and then signs in,
opts in through the sandbox's UPS.com pages, opts out, and walks the password-change
path: elements are found by their visible labels and texts. One screenshot per step
goes to the artifacts folder. Exit status 0 when every step passed.

usage: seed_journey.py --bin DIR --database-url URL --artifacts DIR
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ADMIN, ADMIN_PASSWORD = "alice", "correct horse battery"
COMPANY = "CSShipQA"
UPS_USER, UPS_PASSWORD, UPS_NEW_PASSWORD = "demo-shipper", "Shipper-Pass-1", "Shipper-Pass-2"
KEYS = "k1:" + "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
SUPPORT = "Pat Example, pat@example.com"


class Journey:
    def __init__(self, args):
        self.bin = args.bin
        self.artifacts = args.artifacts
        self.database_url = args.database_url
        self.step_number = 0
        self.processes = []
        os.makedirs(self.artifacts, exist_ok=True)

    # -- processes ---------------------------------------------------------------

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_") and not k.startswith("PG")}
        env.update({
            "IPM_DATABASE_URL": self.database_url, "IPM_ENCRYPTION_KEYS": KEYS,
            "IPM_UPS_CLIENT_ID": "browser-client", "IPM_UPS_CLIENT_SECRET": "browser-secret",
            "IPM_PASSWORD_HASH_COST": "4", "IPM_LOG_LEVEL": "notice",
        })
        env.update(extra)
        return env

    def ipm(self, *arguments, stdin=None, check=True):
        run = subprocess.run([os.path.join(self.bin, "ipm"), *arguments], input=stdin, capture_output=True, text=True,
                             env=self.server_env, timeout=120)
        if check and run.returncode != 0:
            raise AssertionError(f"ipm {' '.join(arguments)} failed: {run.stderr}")
        return run

    def start(self, program, arguments, env):
        process = subprocess.Popen([os.path.join(self.bin, program), *arguments], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        log = []
        threading.Thread(target=lambda: [log.append(line) for line in process.stderr], daemon=True).start()
        self.processes.append((program, process, log))
        return process, log

    @staticmethod
    def wait_for_port(program, process, log, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline and process.poll() is None:
            for line in list(log):
                if f"{program} listening" in line:
                    match = re.search(r"address=\S*:(\d+)", line)
                    if match:
                        return int(match.group(1))
            time.sleep(0.1)
        raise AssertionError(f"{program} did not come up: {''.join(log)}")

    @staticmethod
    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def start_world(self):
        port = self.free_port()
        self.base = f"http://127.0.0.1:{port}"
        redirect = f"{self.base}/oauth/ups/callback"
        config = {
            "host": "127.0.0.1", "port": 0,
            "clients": [{"clientId": "browser-client", "clientSecret": "browser-secret", "redirectURIs": [redirect],
                         "appName": "Intelligent Pickup Manager"}],
            "users": [{"username": UPS_USER, "email": "shipper@example.com", "password": UPS_PASSWORD}],
        }
        config_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(config, config_file)
        config_file.close()
        sandbox, sandbox_log = self.start("ups-sandbox", ["--config", config_file.name, "--port", "0"], self.env())
        self.sandbox = f"http://127.0.0.1:{self.wait_for_port('ups-sandbox', sandbox, sandbox_log)}"
        self.server_env = self.env(IPM_UPS_BASE_URL=self.sandbox, IPM_HTTP_PORT=str(port), IPM_PUBLIC_URL=self.base,
                                   IPM_SUPPORT_CONTACT=SUPPORT)
        self.ipm("admin", "create", ADMIN, "--display-name", "Alice Admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        self.ipm("company", "create", COMPANY)
        self.ipm("company", "add-admin", COMPANY, ADMIN, "--role", "admin")
        server, server_log = self.start("ipm-server", [], self.server_env)
        self.wait_for_port("ipm-server", server, server_log)

    def stop_world(self):
        for _, process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        for _, process, _ in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    # -- a person's actions ----------------------------------------------------------

    def open_browser(self):
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900", "--disable-gpu"):
            options.add_argument(flag)
        options.binary_location = "/usr/bin/chromium"
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)

    def step(self, name):
        self.step_number += 1
        print(f"step {self.step_number:02d}: {name}", flush=True)
        self.driver.save_screenshot(os.path.join(self.artifacts, f"{self.step_number:02d}-{name}.png"))

    def see(self, text, seconds=10):
        try:
            # While the browser moves to the next page, the old body goes stale: look again.
            WebDriverWait(self.driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
                lambda d: text in d.find_element(By.TAG_NAME, "body").text)
        except TimeoutException:
            raise AssertionError(f"expected to see {text!r} on {self.driver.current_url}:\n{self.driver.find_element(By.TAG_NAME, 'body').text}")

    def fill(self, label, value):
        """Types into the input that the label with this text is tied to (<label for>)."""
        element = self.labelled(label)
        element.clear()
        element.send_keys(value)

    def labelled(self, label):
        for candidate in self.driver.find_elements(By.TAG_NAME, "label"):
            if candidate.text.strip().startswith(label):
                return self.driver.find_element(By.ID, candidate.get_attribute("for"))
        raise AssertionError(f"no field labelled {label!r} on {self.driver.current_url}")

    def click(self, text):
        """Clicks the link, button or menu whose visible text is exactly this."""
        for xpath in (f"//button[normalize-space()='{text}']", f"//a[normalize-space()='{text}']", f"//summary[normalize-space()='{text}']"):
            for element in self.driver.find_elements(By.XPATH, xpath):
                if element.is_displayed():
                    element.click()
                    return
        raise AssertionError(f"nothing to click reads {text!r} on {self.driver.current_url}:\n{self.driver.find_element(By.TAG_NAME, 'body').text}")

    # -- the journey -------------------------------------------------------------------

    def sign_in(self):
        self.driver.get(self.base + "/settings")
        self.see("Sign in name")
        self.step("sign-in-page")
        self.fill("Sign in name", ADMIN)
        self.fill("Password", ADMIN_PASSWORD)
        self.click("SIGN IN")
        self.see("Settings")
        self.step("signed-in")

    def open_company_api(self):
        self.click("Manage")
        self.click("Settings")
        self.see(COMPANY)
        self.step("manage-settings")
        self.click(COMPANY)
        self.see("UPS OAuth")
        self.step("company")
        self.click("API")
        self.see("UPS API")
        self.step("ups-api-dialog")

    def opt_in(self, password, label):
        self.click("Continue")
        self.see("OAuth")
        self.step(f"{label}-oauth-choice")
        self.click("OAuth")
        self.see("Email or Username")
        self.step(f"{label}-ups-sign-in")
        self.fill("Email or Username", UPS_USER)
        agreement = self.labelled("By continuing, I agree to the UPS Technology Agreement")
        if not agreement.is_selected():
            agreement.click()
        self.click("Continue")
        self.see("Welcome back")
        self.step(f"{label}-ups-password")
        self.fill("Password", password)
        self.click("Login")
        self.see("Successfully Opted-In to UPS Online Tools (OAuth)")
        self.see("Success")
        self.step(f"{label}-success")
        self.click("Close")
        self.see("This company has been authenticated using UPS OAuth")
        self.see("Authenticated")
        self.step(f"{label}-authenticated")

    def opt_out(self):
        self.click("OPT-OUT")
        alert = WebDriverWait(self.driver, 10).until(expected_conditions.alert_is_present())
        assert alert.text == "Are you sure you want to opt out of UPS Online Tools (OAuth)?", alert.text
        alert.accept()
        self.see("Successfully Opted-Out of UPS Online Tools (OAuth)")
        self.step("opted-out")
        self.click("Close")
        self.see("UPS API")

    def password_change(self):
        self.click("Close")
        self.see("UPS OAuth")
        self.click("API")
        self.opt_in(UPS_PASSWORD, "again")
        request = urllib.request.Request(
            f"{self.sandbox}/sandbox/users/{UPS_USER}/password", data=json.dumps({"password": UPS_NEW_PASSWORD}).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request, timeout=10).read()
        refresh = self.ipm("tokens", "refresh", COMPANY, "--force", check=False)
        print(f"ipm tokens refresh {COMPANY} --force: exit {refresh.returncode}: {refresh.stdout.strip()} {refresh.stderr.strip()}", flush=True)
        self.driver.get(self.driver.current_url)
        self.see("Re-authorization required")
        self.see("UPS.com password of the user who opted in was changed")
        self.step("reauthorization-required")
        self.opt_in(UPS_NEW_PASSWORD, "reauthorized")

    def activity(self):
        self.click("Close")
        self.click("Activity")
        self.see("Opted out")
        self.see("Re-authorization required")
        self.step("activity")
        # Phone-sized: the same pages stay usable in a narrow window.
        self.driver.set_window_size(390, 844)
        self.click("Manage")
        self.click("Settings")
        self.see(COMPANY)
        self.step("phone-settings")

    def run(self):
        self.start_world()
        self.open_browser()
        try:
            self.sign_in()
            self.open_company_api()
            self.opt_in(UPS_PASSWORD, "first")
            self.opt_out()
            self.password_change()
            self.activity()
        except Exception:
            self.step("failure")
            for program, _, log in self.processes:
                print(f"--- {program} log ---\n{''.join(log)[-4000:]}", file=sys.stderr)
            raise
        finally:
            self.driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--artifacts", required=True)
    journey = Journey(parser.parse_args())
    try:
        journey.run()
    finally:
        journey.stop_world()
    print(f"seed journey passed: {journey.step_number} steps, screenshots in {journey.artifacts}")


if __name__ == "__main__":
    main()
