"""python -m help_site [--host H] [--port P] [--socket-url URL]"""

from __future__ import annotations

import argparse
import os

from help_site.server import make_server


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the help-site page with the chat widget")
    parser.add_argument("--host", default=os.environ.get("HELP_SITE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("HELP_SITE_PORT", 8080)))
    parser.add_argument(
        "--socket-url",
        default=os.environ.get("RASA_SOCKET_URL", "http://localhost:5005"),
        help="where the browser reaches Rasa's socket.io channel",
    )
    args = parser.parse_args()
    server = make_server(args.host, args.port, args.socket_url)
    print(
        f"help site: http://{args.host}:{args.port}/ (assistant at {args.socket_url})", flush=True
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
