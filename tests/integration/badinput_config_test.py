"""Broken configuration files of every kind, given to the real binary (`seshat MODE FILE Seshat`):
each one exits with code 2 before doing anything, and says what is wrong in exactly one line on
stderr that names the file (and, where there is one, the line, the section and the key). The
parsing rules themselves are unit-tested in tests/app/; this checks what an administrator sees.
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness.case as case  # noqa: E402

GOOD = {
    "sqlitedb": "{dir}/seshat.db",
    "localusers": "joe@example.com, bob@example.com",
    "username": "bot@example.com",
    "password": "secret-password",
    "xmppserver": "127.0.0.1:5222",
    "listen": "127.0.0.1:18080",
}


def ini(keys, section="Seshat"):
    return f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items())


def with_keys(**changes):
    """GOOD with some keys changed (a value of None removes the key)."""
    keys = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            keys.pop(key, None)
        else:
            keys[key] = value
    return ini(keys)


class BrokenConfig(unittest.TestCase):
    files_tried = 0

    @classmethod
    def tearDownClass(cls):
        print(f"\n{cls.files_tried} broken configurations refused")

    def setUp(self):
        if not case.paths.seshat:
            self.skipTest("no --seshat given")
        self.dir = tempfile.mkdtemp(prefix="seshat-badconfig-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def write(self, content, name="seshat.ini"):
        path = os.path.join(self.dir, name)
        data = content if isinstance(content, bytes) else content.replace("{dir}", self.dir).encode()
        with open(path, "wb") as f:
            f.write(data)
        return path

    def run_seshat(self, path, mode="serve", section="Seshat", env=None):
        environment = {k: v for k, v in os.environ.items() if k != "SESHAT_PASSWORD"}
        environment.update(env or {})
        result = subprocess.run([case.paths.seshat, mode, path, section], capture_output=True,
                                timeout=10, env=environment, stdin=subprocess.DEVNULL)
        return result.returncode, result.stdout.decode(errors="replace"), result.stderr

    def assert_refused(self, content, *needles, mode="serve", name="seshat.ini", path=None):
        """Exit code 2, nothing on stdout, one line on stderr holding every needle."""
        path = path or self.write(content, name)
        code, out, err = self.run_seshat(path, mode)
        BrokenConfig.files_tried += 1
        text = err.decode(errors="replace")
        self.assertEqual(code, 2, f"exit code for {content!r}: {text}")
        self.assertEqual(out, "")
        self.assertTrue(text.endswith("\n"), repr(text))
        self.assertEqual(text.count("\n"), 1, f"more than one line: {text!r}")
        self.assertNotRegex(text[:-1], r"[\x00-\x08\x0b-\x1f\x7f]",
                            f"control characters copied to the terminal: {text!r}")
        self.assertTrue(text.startswith(f"seshat: {path}"), f"file not named first: {text!r}")
        for needle in needles:
            self.assertIn(needle, text)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "seshat.db")),
                         "the database was created although the config is broken")
        return text

    def test_the_good_file_is_good(self):
        # The baseline the broken ones are made from: it gets past configuration (and then
        # fails to reach an XMPP server that is not there, or is stopped here by a bad mode).
        code, _, err = self.run_seshat(self.write(ini(GOOD)), mode="nonsense")
        self.assertEqual(code, 2)  # a usage error from the command line, not from the file
        self.assertNotIn(b"seshat.ini", err)

    def test_file_missing_or_not_a_file(self):
        missing = os.path.join(self.dir, "nothing.ini")
        self.assert_refused(None, "cannot read: No such file or directory", path=missing)
        self.assert_refused(None, "cannot read: it is a directory", path=self.dir)

    def test_section_missing_or_twice(self):
        self.assert_refused(ini(GOOD, section="Other"), "no section [Seshat]")
        self.assert_refused(ini(GOOD, section="seshat"), "no section [Seshat]",
                            "there is [seshat]; section names are case-sensitive")
        self.assert_refused("", "no section [Seshat]")
        self.assert_refused(ini(GOOD) + ini({"password": "x"}), ":8: [Seshat]",
                            "section given twice (first at line 1)")

    def test_required_keys_missing_or_empty(self):
        for key in ("sqlitedb", "localusers", "username"):
            with self.subTest(key=key):
                self.assert_refused(with_keys(**{key: None}), f"[Seshat] {key}: missing")
                self.assert_refused(with_keys(**{key: ""}), f"[Seshat] {key}: empty")
        self.assert_refused(with_keys(password=None), "[Seshat] password: missing",
                            "SESHAT_PASSWORD")

    def test_language_and_texts_file(self):
        self.assert_refused(with_keys(language="klingon!"), "[Seshat] language:",
                            "must be a language tag")
        texts = self.write("[de]\nchat_started = Hallo\nchat_stared = Tippfehler\n", "texts.ini")
        self.assert_refused(with_keys(texts=texts), "[Seshat] texts:",
                            f"{texts}:3: [de] chat_stared: unknown text 'chat_stared'")
        texts = self.write("[Deutsch]\nchat_started = Hallo\n", "texts.ini")
        self.assert_refused(with_keys(texts=texts), "[Seshat] texts:", "is not a language")
        self.assert_refused(with_keys(texts=os.path.join(self.dir, "none.ini")), "[Seshat] texts:",
                            "cannot read")

    def test_tls(self):
        self.assert_refused(with_keys(tls="maybe"), "[Seshat] tls:",
                            "must be verify, no-verify or off, not 'maybe'")
        self.assert_refused(with_keys(tls="off", xmppserver="xmpp.example.com"),
                            "[Seshat] tls: off is refused unless xmppserver is a loopback address",
                            "'xmpp.example.com'")
        self.assert_refused(with_keys(tls="off", xmppserver=None),
                            "[Seshat] tls: off is refused", "'example.com' (the domain of username)")
        self.assert_refused(with_keys(tls="off", xmppserver="10.0.0.1:5222"), "'10.0.0.1'")
        self.assert_refused(with_keys(tls_ca="{dir}/no-such-ca.pem"), "[Seshat] tls_ca:",
                            "cannot read", "No such file or directory")
        self.assert_refused(with_keys(tls_ca="{dir}"), "[Seshat] tls_ca:", "is a directory")

    def test_ports_and_addresses(self):
        for key, value in [("xmppserver", "127.0.0.1:99999"), ("xmppserver", "127.0.0.1:0"),
                           ("xmppserver", "127.0.0.1:port"), ("listen", "127.0.0.1:-1"),
                           ("listen", "127.0.0.1:65536")]:
            with self.subTest(key=key, value=value):
                self.assert_refused(with_keys(**{key: value}), f"[Seshat] {key}:", "port")
        self.assert_refused(with_keys(xmppserver="bad host name:5222"), "[Seshat] xmppserver:")

    def test_component_mode(self):
        self.assert_refused(with_keys(component="chat.example.com"),
                            "[Seshat] component_secret: missing (required with component",
                            "SESHAT_COMPONENT_SECRET")
        self.assert_refused(with_keys(component="chat@example.com", component_secret="s"),
                            "[Seshat] component: 'chat@example.com' is not a domain")
        self.assert_refused(with_keys(component="example.com", component_secret="s"),
                            "[Seshat] component: must be a domain of its own")
        self.assert_refused(with_keys(component="chat.example.com", component_secret="s",
                                      component_server="127.0.0.1:0"),
                            "[Seshat] component_server:", "port")

    def test_garbage_and_duplicates(self):
        self.assert_refused(ini(GOOD) + "this is not an assignment\n", ":8: [Seshat]",
                            "expected 'key = value'")
        self.assert_refused("password = x\n" + ini(GOOD), ":1:", "before any [section]")
        self.assert_refused("[Seshat\n", ":1:", "section header without ']'")
        self.assert_refused(ini(GOOD) + "password = again\n", ":8: [Seshat] password:",
                            "given twice (also as 'password' at line 5)")
        self.assert_refused(ini(GOOD) + "seshat_password = alias\n", "given twice")
        self.assert_refused(ini(GOOD) + "pasword = typo\n", "[Seshat] pasword:",
                            "a typo for 'password'")
        self.assert_refused(with_keys(localusers="joe@example.com, not-a-jid"),
                            "[Seshat] localusers:", "'not-a-jid' is not a bare JID")
        self.assert_refused(with_keys(username="bot@example.com/res"), "[Seshat] username:",
                            "has a resource")
        self.assert_refused(with_keys(visitor_timeout="soon"), "[Seshat] visitor_timeout:")
        self.assert_refused(with_keys(log_level="loud"), "[Seshat] log_level:",
                            "must be trace, debug, info, warn or error")

    def test_binary_junk(self):
        rng = random.Random(7)  # fixed: the same junk every run
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(64))
        self.assert_refused(png, ":1:", "expected 'key = value'", name="image.png")
        self.assert_refused(ini(GOOD).encode() + b"\x00\x01\x02", ":8: [Seshat]",
                            "NUL character in the file", name="nul.ini")
        self.assert_refused(ini(GOOD).encode() + b"\xff\xfe = \xc3\x28\n", ":8:",
                            name="latin.ini")

    # Control bytes from a junk file (here ESC sequences that clear the screen and switch
    # colours, and other C0 bytes) never reach the administrator's terminal raw: the error line
    # quotes them as \xNN (a bug this test found).
    def test_junk_is_not_copied_raw_to_the_terminal(self):
        rng = random.Random(7)  # fixed: the same junk every run
        junk = bytes(rng.choice([b for b in range(1, 256) if b not in (10, 13)])
                     for _ in range(300))
        self.assert_refused(junk, ":1:", name="junk.bin")
        self.assert_refused(ini(GOOD).encode() + b"x\x1b[2J\x1b[31m = red\n", ":8:",
                            name="escape.ini")

    def test_every_mode_checks_the_file(self):
        for mode in ("serve", "web", "broker"):
            with self.subTest(mode=mode):
                self.assert_refused(with_keys(password=None), "[Seshat] password: missing",
                                    mode=mode)

    def test_password_from_the_environment_fills_the_gap(self):
        # Not an error: SESHAT_PASSWORD stands in for a missing password key. The file is then
        # good, so `seshat` goes on; a bad mode stops it at the command line instead.
        path = self.write(with_keys(password=None, tls="maybe"))
        code, _, err = self.run_seshat(path, env={"SESHAT_PASSWORD": "from-env"})
        self.assertEqual(code, 2)
        self.assertIn(b"tls: must be verify", err)  # got past the password


if __name__ == "__main__":
    case.main()
