"""python -m berth_moto --host 127.0.0.1 --port 5000 [options]

Every setting can also come from BERTH_MOTO_<SETTING> (see settings.py); options win. The
registry password is read from BERTH_MOTO_REGISTRY_PASSWORD or --registry-password-file, never
from the command line (other users could read it in the process list).
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m berth_moto", description=__doc__.split("\n\n")[1])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000, help="0: any free port (printed)")
    parser.add_argument("--registry", help="host:port of the registry that stands in for ECR")
    parser.add_argument("--registry-user")
    parser.add_argument("--registry-password-file")
    parser.add_argument("--instance", help="label value that marks this backend's containers")
    parser.add_argument(
        "--slr-accounts", help="accounts that already have the ECS service-linked role ('*': all)"
    )
    parser.add_argument("--no-containers", action="store_true", help="tasks run without containers (lenient)")
    parser.add_argument(
        "--state-file", help="keep the accounts in this file between runs (written on SIGTERM/SIGINT/SIGHUP)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that this Python has what requirements.txt pins; print what is missing",
    )
    parser.add_argument("--log-level", default=os.environ.get("BERTH_MOTO_LOG_LEVEL", "INFO"))
    args = parser.parse_args()
    if args.check:
        from .requirements import check

        raise SystemExit(check())

    # moto reads these when it is imported: set them first.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from .launcher import configure_logging, serve
    from .settings import SETTINGS, Settings

    configure_logging(args.log_level)
    SETTINGS.update(vars(Settings.from_env()))
    if args.registry:
        SETTINGS.registry = args.registry
    if args.registry_user:
        SETTINGS.registry_user = args.registry_user
    if args.registry_password_file:
        with open(args.registry_password_file, encoding="utf-8") as f:
            SETTINGS.registry_password = f.read().strip()
    if args.instance:
        SETTINGS.instance = args.instance
    if args.slr_accounts:
        SETTINGS.update({"slr_accounts": args.slr_accounts})
    if args.no_containers:
        SETTINGS.containers = False
    if args.state_file:
        SETTINGS.state_file = args.state_file
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
