# Runs a command on a pseudo-terminal, answers its prompts, and reports (as
# JSON) what it printed, whether echo was off while it asked, the terminal
# state after it exited, and its exit status. Used by the prompt tests.
import json, os, pty, select, sys, termios, time

answers = json.loads(os.environ["PTY_ANSWERS"])  # [[wait_for, send], ...]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

out = b""
def pump(seconds, until=None):
    global out
    end = time.time() + seconds
    while time.time() < end:
        if until is not None and until in out:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return False
    return until is None

echo_while_asking = []
for wait_for, send in answers:
    pump(10, wait_for.encode())
    time.sleep(0.3)  # let the prompt switch echo off
    echo_while_asking.append(bool(termios.tcgetattr(fd)[3] & termios.ECHO))
    out = out.replace(wait_for.encode(), b"<asked>", 1)
    os.write(fd, send.encode())
status = None
deadline = time.time() + 15
while time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
    if not pump(0.1):
        time.sleep(0.05)
pump(0.2)
attrs = termios.tcgetattr(fd)
print(json.dumps({
    "output": out.decode("utf-8", "replace"),
    "echoWhileAsking": echo_while_asking,
    "echoAfter": bool(attrs[3] & termios.ECHO),
    "icanonAfter": bool(attrs[3] & termios.ICANON),
    "isigAfter": bool(attrs[3] & termios.ISIG),
    "status": status,
}))
