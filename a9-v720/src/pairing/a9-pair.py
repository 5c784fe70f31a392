#!/usr/bin/env python3
"""Put an A9 / V720 camera on your home Wi-Fi without the vendor app.

Run it on a laptop that is joined to the camera's own open Wi-Fi (named "Nax_<id>" or "MV...")
after a reset of the camera:

    python3 a9-pair.py --ssid "My home Wi-Fi" --password "my Wi-Fi password"

It speaks the camera's access-point protocol (docs/protocol.md section 9 of the A9 / V720 add-on):
it opens a session (a bare cmd 115 header, which the camera echoes), logs in (code 501) and sends
the Wi-Fi name and password (code 204 inside a code 502 wrapper), exactly as the working open-source
client does. It prints each step, waits for each answer, and exits 0 only when the camera accepted
the network. Python 3.7 or newer, standard library only: nothing to install.
"""

import argparse
import json
import os
import socket
import struct
import sys
import time

# Filled in by the add-on's "Add a camera" dialog when you download this file from the panel;
# None means: give them on the command line.
PRESET_SSID = None  # a9-pair:preset:ssid
PRESET_PASSWORD = None  # a9-pair:preset:password

DEFAULT_CAMERA = "192.168.169.1:6123"
DEFAULT_TIMEOUT_SECONDS = 10.0
TIMEOUT_ENV = "A9_PAIR_TIMEOUT"

# What the working access-point client sends (the camera does not seem to check the values).
TARGET = "deadbeef"
TOKEN = "This is TEST token"

HEADER = struct.Struct("<IHBB8sI")  # length, cmd, msg_flag, deal_flag, forward id, pkg_id
FORWARD_ID = b"00000000"
CMD_JSON = 0
CMD_HEARTBEAT = 100
CMD_SESSION = 115
MAX_PAYLOAD = 64 * 1024
# Media or status messages a camera may push between our request and its answer are skipped,
# but not forever.
MAX_SKIPPED = 200

SSID_MAX_BYTES = 32
PASSWORD_MIN = 8
PASSWORD_MAX = 36

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NO_CAMERA = 3
EXIT_NO_ECHO = 4
EXIT_TIMEOUT = 5
EXIT_REFUSED = 6
EXIT_MALFORMED = 7
EXIT_CLOSED = 8

EXIT_CODES = """exit codes:
  0  the camera accepted the Wi-Fi network and restarts to join it
  2  bad command line: missing or invalid Wi-Fi name or password
  3  no camera at the address (nothing listening, or not reachable: are you on its Wi-Fi?)
  4  the camera did not echo the session opener (not an A9 / V720 camera in access-point mode?)
  5  the camera did not answer in time (see --timeout)
  6  the camera refused (the login or the Wi-Fi network)
  7  the camera's answer was malformed
  8  the camera closed the connection before it answered"""


class PairingError(Exception):
    """One failure: a sentence for the user and the exit code that names its kind."""

    def __init__(self, code, sentence):
        super().__init__(sentence)
        self.code = code
        self.sentence = sentence


def check_ssid(ssid):
    """The camera takes 1 to 32 bytes of Wi-Fi name (the 802.11 limit)."""
    try:
        size = len(ssid.encode("utf-8"))
    except UnicodeEncodeError:
        return "the Wi-Fi name is not valid text"
    if size < 1:
        return "the Wi-Fi name is empty"
    if size > SSID_MAX_BYTES:
        return "the Wi-Fi name is %d bytes long; a Wi-Fi name has at most %d bytes" % (size, SSID_MAX_BYTES)
    return None


def check_password(password):
    """The camera takes a password of 8 to 36 characters (what its app allows)."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return "the Wi-Fi password is not valid text"
    if len(password) < PASSWORD_MIN or len(password) > PASSWORD_MAX:
        return "the Wi-Fi password has %d characters; the camera needs %d to %d" % (len(password), PASSWORD_MIN, PASSWORD_MAX)
    return None


def parse_camera(text):
    """HOST[:PORT] -> (host, port); port 6123 when not given."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = text, "6123"
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "" or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(text)
    return host, int(port)


def encode_packet(cmd, payload=b""):
    return HEADER.pack(len(payload), cmd, 0, 0, FORWARD_ID, 0) + payload


def encode_json(value):
    # json.dumps' default form (", " and ": ", non-ASCII as \\u escapes), as the working client sends it.
    return encode_packet(CMD_JSON, json.dumps(value).encode("ascii"))


class Connection:
    """The camera's TCP channel: length-framed packets, each wait bounded by the timeout."""

    def __init__(self, sock, where, timeout):
        self.sock = sock
        self.where = where
        self.timeout = timeout
        self.buffer = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as error:
            raise PairingError(EXIT_CLOSED, "The camera at %s closed the connection while we were sending (%s)." % (self.where, error.strerror or error))

    def _fill(self, size, deadline, waiting_for):
        while len(self.buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PairingError(EXIT_TIMEOUT, "The camera at %s did not answer %s within %g seconds." % (self.where, waiting_for, self.timeout))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as error:
                raise PairingError(EXIT_CLOSED, "The connection to the camera at %s broke while waiting for %s (%s)." % (self.where, waiting_for, error.strerror or error))
            if not chunk:
                raise PairingError(EXIT_CLOSED, "The camera at %s closed the connection instead of answering %s." % (self.where, waiting_for))
            self.buffer += chunk

    def receive(self, deadline, waiting_for):
        """The next whole packet as (cmd, payload)."""
        self._fill(HEADER.size, deadline, waiting_for)
        length, cmd = HEADER.unpack_from(self.buffer)[:2]
        if length > MAX_PAYLOAD:
            raise PairingError(EXIT_MALFORMED, "The answer from %s to %s is not the camera protocol (a message of %d bytes)." % (self.where, waiting_for, length))
        self._fill(HEADER.size + length, deadline, waiting_for)
        payload = self.buffer[HEADER.size:HEADER.size + length]
        self.buffer = self.buffer[HEADER.size + length:]
        return cmd, payload

    def answer(self, waiting_for, wanted):
        """Waits for the packet `wanted(cmd, payload)` accepts; heartbeats are answered on the way."""
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_SKIPPED):
            cmd, payload = self.receive(deadline, waiting_for)
            if cmd == CMD_HEARTBEAT:
                self.send(encode_packet(CMD_HEARTBEAT))
                continue
            result = wanted(cmd, payload)
            if result is not None:
                return result
        raise PairingError(EXIT_MALFORMED, "The camera at %s sent %d other messages but no answer to %s." % (self.where, MAX_SKIPPED, waiting_for))


def json_answer(where, waiting_for, payload):
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        preview = payload[:40].hex()
        raise PairingError(EXIT_MALFORMED, "The answer from %s to %s is not JSON (starts %s)." % (where, waiting_for, preview or "empty"))
    if not isinstance(value, dict):
        raise PairingError(EXIT_MALFORMED, "The answer from %s to %s is JSON but not an object." % (where, waiting_for))
    return value


def refused_status(value):
    """The status field when it says no; None when it is 200 or absent."""
    status = value.get("status")
    if status is None or status == 200:
        return None
    return status


def open_session(conn):
    conn.send(encode_packet(CMD_SESSION))

    def echo(cmd, payload):
        if cmd == CMD_SESSION:
            return True
        raise PairingError(EXIT_NO_ECHO, "The device at %s answered the session opener with message type %d instead of echoing it: is it an A9 / V720 camera in access-point mode?" % (conn.where, cmd))

    try:
        return conn.answer("the session opener (cmd 115)", echo)
    except PairingError as error:
        if error.code == EXIT_CLOSED:
            raise PairingError(EXIT_NO_ECHO, "The device at %s closed the connection instead of echoing the session opener: is it an A9 / V720 camera in access-point mode?" % conn.where)
        raise


def json_step(conn, waiting_for, message, is_answer):
    conn.send(encode_json(message))

    def wanted(cmd, payload):
        if cmd != CMD_JSON:
            return None  # media or other traffic: not our answer
        value = json_answer(conn.where, waiting_for, payload)
        return value if is_answer(value) else None

    return conn.answer(waiting_for, wanted)


def login(conn):
    waiting_for = "the login (code 501)"
    message = {"code": 501, "target": TARGET, "token": TOKEN, "unixTimer": int(time.time())}
    value = json_step(conn, waiting_for, message, lambda v: v.get("code") == 501)
    status = refused_status(value)
    if status is not None:
        raise PairingError(EXIT_REFUSED, "The camera at %s refused the login (status %s)." % (conn.where, json.dumps(status)))


def wifi_content(value):
    """The 204 answer's content: inside the 502 wrapper (its code 204 or left out), or the message itself."""
    content = value.get("content")
    if value.get("code") == 502 and isinstance(content, dict) and content.get("code", 204) == 204:
        return content
    if value.get("code") == 204:
        return value
    return None


def set_wifi(conn, ssid, password):
    waiting_for = "the Wi-Fi settings (code 204)"
    message = {"code": 502, "content": {"code": 204, "devTarget": TARGET, "s": ssid, "p": password}}
    value = json_step(conn, waiting_for, message, lambda v: wifi_content(v) is not None)
    status = refused_status(wifi_content(value)) or refused_status(value)
    if status is not None:
        raise PairingError(EXIT_REFUSED, "The camera at %s refused the Wi-Fi network %s (status %s): check the name and the password." % (conn.where, json.dumps(ssid), json.dumps(status)))


def ask_restart(conn):
    # The working client sends a reboot (299) after the accepted 204 and does not wait for an
    # answer; a camera that already restarts by itself may have closed the connection.
    try:
        conn.sock.sendall(encode_json({"code": 502, "content": {"code": 299, "devTarget": TARGET}}))
    except OSError:
        pass


def connect(host, port, timeout):
    where = "%s:%d" % (host, port)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        raise PairingError(EXIT_NO_CAMERA, "No camera answered at %s within %g seconds: is this computer joined to the camera's Wi-Fi?" % (where, timeout))
    except ConnectionRefusedError:
        raise PairingError(EXIT_NO_CAMERA, "No camera at %s: the connection was refused (nothing listens there; is this computer joined to the camera's Wi-Fi?)." % where)
    except OSError as error:
        raise PairingError(EXIT_NO_CAMERA, "No camera at %s: %s (is this computer joined to the camera's Wi-Fi?)." % (where, error.strerror or error))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return Connection(sock, where, timeout)


def say(text):
    print(text, flush=True)


def pair(host, port, ssid, password, timeout):
    say("Pairing the camera at %s:%d with the Wi-Fi network %s." % (host, port, json.dumps(ssid, ensure_ascii=False)))
    say("Note: the camera only joins 2.4 GHz Wi-Fi; a 5 GHz-only network will not work.")
    say("[1/4] Connecting to the camera at %s:%d ..." % (host, port))
    conn = connect(host, port, timeout)
    try:
        say("      connected.")
        say("[2/4] Opening a session (cmd 115) ...")
        open_session(conn)
        say("      the camera echoed it.")
        say("[3/4] Logging in (code 501) ...")
        login(conn)
        say("      the camera accepted the login.")
        say("[4/4] Sending the Wi-Fi name and password (code 204) ...")
        set_wifi(conn, ssid, password)
        say("      the camera accepted the network.")
        ask_restart(conn)
    finally:
        conn.sock.close()
    say("Done: the camera restarts and joins %s. Reconnect this computer to your home Wi-Fi;" % json.dumps(ssid, ensure_ascii=False))
    say("the camera appears in the add-on's panel within a minute (if your DNS points *.naxclow.com at Home Assistant).")


def timeout_value(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of seconds" % text)
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 600 seconds")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="a9-pair.py",
        description="Put an A9 / V720 camera on your home Wi-Fi without the vendor app. Join this computer to the "
        "camera's own Wi-Fi first (after a reset it opens one named Nax_<id> or MV...). The camera needs a 2.4 GHz network.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ssid", default=PRESET_SSID, required=PRESET_SSID is None,
                        help="your home Wi-Fi name (1-32 bytes, 2.4 GHz)" + (" [filled in: %s]" % json.dumps(PRESET_SSID, ensure_ascii=False) if PRESET_SSID is not None else ""))
    parser.add_argument("--password", default=PRESET_PASSWORD, required=PRESET_PASSWORD is None,
                        help="your home Wi-Fi password (8-36 characters)" + (" [filled in]" if PRESET_PASSWORD is not None else ""))
    parser.add_argument("--camera", default=DEFAULT_CAMERA, help="the camera's address as HOST[:PORT] (default %s)" % DEFAULT_CAMERA)
    parser.add_argument("--timeout", type=timeout_value, default=None,
                        help="seconds to wait for each answer (default %g, or the %s environment variable)" % (DEFAULT_TIMEOUT_SECONDS, TIMEOUT_ENV))
    return parser


def main(argv=None):
    # A Wi-Fi name in another script must not crash the step output on a console that cannot show it.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
        sys.stderr.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    timeout = args.timeout
    if timeout is None:
        try:
            timeout = timeout_value(os.environ.get(TIMEOUT_ENV, str(DEFAULT_TIMEOUT_SECONDS)))
        except argparse.ArgumentTypeError as error:
            parser.error("%s: %s" % (TIMEOUT_ENV, error))
    problem = check_ssid(args.ssid) or check_password(args.password)
    if problem is not None:
        parser.error(problem)
    try:
        host, port = parse_camera(args.camera)
    except ValueError:
        parser.error("--camera %s is not HOST[:PORT]" % args.camera)
    try:
        pair(host, port, args.ssid, args.password, timeout)
    except PairingError as error:
        print("a9-pair: " + error.sentence, file=sys.stderr, flush=True)
        return error.code
    except KeyboardInterrupt:
        print("a9-pair: stopped before the camera accepted the network.", file=sys.stderr, flush=True)
        return 130
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
