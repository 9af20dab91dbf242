"""The copy-paste instructions `discreet demo` prints once the data directory is ready.

Plain text (no Rich markup), so it survives any terminal and can be piped to a file. It
holds the new API keys: they are shown here once and stored only hashed.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from discreet.demo.prepare import DemoEnvironment
from discreet.demo.synthetic import SyntheticCustomer

_QUESTIONS = {"en": "Where is my order?", "nl": "Hoi, waar blijft mijn bestelling?"}


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses (a wildcard bind is reached via loopback)."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/v1"


def _curl(url: str, key: str, customer: SyntheticCustomer, *, stream: bool = False) -> str:
    body: dict[str, object] = {
        "model": "support",
        "messages": [{"role": "user", "content": _QUESTIONS[customer.locale]}],
    }
    if stream:
        body["stream"] = True
    lines = [
        f"curl -s{'N' if stream else ''} {url}/chat/completions \\",
        f'  -H "Authorization: Bearer {key}" \\',
        '  -H "Content-Type: application/json" \\',
        f'  -H "X-Discreet-Subject: {customer.ref}" \\',
        f"  -d {shlex.quote(json.dumps(body, ensure_ascii=False))}",
    ]
    return "\n".join(lines)


def commands() -> tuple[str, str]:
    """The `python` and `discreet` of this installation, as a clean shell must call them
    (the virtualenv need not be active, nor its `bin/` on the PATH)."""
    python = Path(sys.executable)
    discreet = python.parent / "discreet"
    return shlex.quote(str(python)), shlex.quote(str(discreet)) if discreet.exists() else "discreet"


def render_instructions(env: DemoEnvironment, *, host: str, port: int, serving: bool) -> str:
    """The text printed after set-up."""
    url = base_url(host, port)
    en, nl = env.examples["en"], env.examples["nl"]
    support, billing, operator = env.keys["support"], env.keys["billing"], env.keys["operator"]
    exports = " \\\n  ".join(f"{k}={shlex.quote(v)}" for k, v in env.environ().items())
    added = f"{env.imported} new" if env.imported else "all reused"
    python, discreet = commands()
    start = (
        f"The gateway is starting on {url} (embedded assistant, no network). "
        "Press Ctrl+C to stop it.\nIn another terminal:"
        if serving
        else "Start the gateway: run the `export` line of step 6, then "
        f"`{discreet} serve --host {host} --port {port}`. Then:"
    )
    sections = [
        f"discreet demo ready in {env.home}",
        f"  customers: {env.customers} synthetic (Dutch and British, with their latest "
        f"order; {added})",
        f"  past conversations: {env.conversations} (pseudonymised transcripts)",
        f"  policy: {env.policy_path} (assistants: support, billing)",
        f"  master key: {env.master_key_path} (mode 0600; a demo key next to its data)",
        "",
        "API keys (shown once; only their hashes are stored):",
        f"  support   {support}",
        f"  billing   {billing}",
        f"  operator  {operator}   (consent, rights and legal holds; not chat)",
        "",
        start,
        "",
        f"# 1. {en.first_name} {en.fields['last_name']} ({en.ref}, English) asks about an order:",
        _curl(url, support, en),
        "",
        f"# 2. {nl.first_name} {nl.fields['last_name']} ({nl.ref}, Dutch), the same in Dutch:",
        _curl(url, support, nl),
        "",
        "# 3. The same answer streamed (server-sent events):",
        _curl(url, support, en, stream=True),
        "",
        f"# 4. With the openai Python client ({python} -m pip install openai):",
        f"{python} - <<'EOF'",
        "from openai import OpenAI",
        "",
        f'client = OpenAI(base_url="{url}", api_key="{billing}")',
        "reply = client.chat.completions.create(",
        '    model="billing",',
        '    messages=[{"role": "user", "content": "Can I get a copy of my invoice?"}],',
        f'    extra_headers={{"X-Discreet-Subject": "{nl.ref}"}},',
        ")",
        "print(reply.choices[0].message.content)",
        "EOF",
        "",
        "# 5. What the operator sees: the customer's consent records (operator key only):",
        f'curl -s {url}/subjects/{en.ref}/consents -H "Authorization: Bearer {operator}"',
        "",
        "# 6. The command line, on the demo's data:",
        "unset DISCREET_MASTER_KEY DISCREET_DATABASE_URL DISCREET_KEYSTORE_URL",
        f"export {exports}",
        f"{discreet} audit verify",
        f"{discreet} policy explain support",
    ]
    return "\n".join(sections)
