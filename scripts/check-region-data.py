#!/usr/bin/env python3
"""Check src-tauri/core/data/regions.json against src-tauri/core/src/aws/regions.rs.

  python3 scripts/check-region-data.py [DATA_FILE]

Checks: the file is valid JSON; every Region of REGIONS appears exactly once, in the same order, and
no other; every price is a positive number or null; where both are known, ARM is cheaper than x86
(vCPU and GB); every source id used is declared, and every declared source has a URL and a read
date; AZ ids have the shape of their Region's AZ ids. Prints one line per problem and exits 1 if
there is any; prints the prices that are null (they are allowed, Berth then shows no price).
"""
import datetime
import json
import re
import sys
from numbers import Real
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS_RS = ROOT / "src-tauri/core/src/aws/regions.rs"
DEFAULT_DATA = ROOT / "src-tauri/core/data/regions.json"

# An AZ id is the Region code abbreviated, "-az", a number: us-east-1 -> use1-az3,
# ap-northeast-1 -> apne1-az4, eu-central-2 -> euc2-az1, il-central-1 -> ilc1-az1.
DIRECTION = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
             "northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}


def az_prefix(code):
    parts = (code or "").split("-")
    if len(parts) != 3 or parts[1] not in DIRECTION:
        return None
    return parts[0] + DIRECTION[parts[1]] + parts[2]


def regions_rs():
    text = REGIONS_RS.read_text()
    body = re.search(r"pub const REGIONS: &\[&str\] = &\[(.*?)\];", text, re.S)
    if not body:
        sys.exit(f"cannot find REGIONS in {REGIONS_RS}")
    return re.findall(r'"([^"]+)"', body.group(1))


def is_date(value):
    try:
        datetime.date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    problems = []
    nulls = []

    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        print(f"{path}: not valid JSON: {err}")
        return 1

    # Sources.
    sources = {}
    for i, source in enumerate(data.get("sources", [])):
        sid = source.get("id")
        if not sid or sid in sources:
            problems.append(f"sources[{i}]: missing or duplicate id {sid!r}")
            continue
        sources[sid] = source
        if not str(source.get("url", "")).startswith("https://"):
            problems.append(f"source {sid}: no https URL")
        if not is_date(source.get("read")):
            problems.append(f"source {sid}: 'read' is not a YYYY-MM-DD date")
        if source.get("published") is not None and not is_date(source["published"]):
            problems.append(f"source {sid}: 'published' is neither null nor a YYYY-MM-DD date")
        if not source.get("what"):
            problems.append(f"source {sid}: says nothing about what it is ('what')")
    used = set()

    def uses(where, sid, allow_null=False):
        if sid is None and allow_null:
            return
        if sid not in sources:
            problems.append(f"{where}: source {sid!r} is not declared in 'sources'")
        used.add(sid)

    # Regions: same set, same order, once each.
    expected = regions_rs()
    regions = data.get("regions", [])
    codes = [r.get("code") for r in regions]
    for code in sorted(set(codes)):
        if codes.count(code) > 1:
            problems.append(f"{code}: appears {codes.count(code)} times")
    for code in expected:
        if code not in codes:
            problems.append(f"{code}: in regions.rs, missing from the data")
    for code in codes:
        if code not in expected:
            problems.append(f"{code}: in the data, not in regions.rs")
    if not problems and codes != expected:
        problems.append("regions are not in the order of regions.rs")

    def price(where, value):
        if value is None:
            nulls.append(where)
        elif isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
            problems.append(f"{where}: {value!r} is neither a positive number nor null")

    for region in regions:
        code = region.get("code")
        if not isinstance(region.get("optIn"), bool):
            problems.append(f"{code}: optIn is not true/false")
        for sid in region.get("optInSources") or [None]:
            uses(f"{code}.optInSources", sid)

        fargate = region.get("fargate")
        if not isinstance(fargate, dict):
            problems.append(f"{code}: 'fargate' is not an object")
        else:
            for arch in ("x86", "arm"):
                rates = fargate.get(arch)
                if not isinstance(rates, dict):
                    problems.append(f"{code}: fargate.{arch} is not an object")
                    continue
                for unit in ("vcpuHour", "gbHour"):
                    price(f"{code}.fargate.{arch}.{unit}", rates.get(unit))
            price(f"{code}.fargate.ephemeralGbHour", fargate.get("ephemeralGbHour"))
            uses(f"{code}.fargate.source", fargate.get("source"))
            x86, arm = fargate.get("x86") or {}, fargate.get("arm") or {}
            for unit in ("vcpuHour", "gbHour"):
                a, x = arm.get(unit), x86.get(unit)
                if isinstance(a, Real) and isinstance(x, Real) and not a < x:
                    problems.append(f"{code}: ARM {unit} {a} is not cheaper than x86 {x}")

        price(f"{code}.publicIpv4Hour", region.get("publicIpv4Hour"))
        uses(f"{code}.publicIpv4Source", region.get("publicIpv4Source"))

        # Availability Zones.
        prefix = az_prefix(code)
        for field in ("fargateSupportedAzIds", "fargateUnsupportedAzIds", "fargateArmUnsupportedAzIds"):
            ids = region.get(field)
            if ids is None:
                if field == "fargateArmUnsupportedAzIds":
                    problems.append(f"{code}.{field}: null (use [] when the source names none)")
                continue
            if not isinstance(ids, list):
                problems.append(f"{code}.{field}: not a list or null")
                continue
            for az in ids:
                if not isinstance(az, str) or not re.fullmatch(rf"{prefix}-az\d+", az):
                    problems.append(f"{code}.{field}: {az!r} is not an AZ id of this Region")
        supported = region.get("fargateSupportedAzIds") or []
        for az in region.get("fargateUnsupportedAzIds") or []:
            if az in supported:
                problems.append(f"{code}: {az} is both supported and unsupported")
        az_sources = region.get("azSources")
        if region.get("fargateUnsupportedAzIds") is None:
            if az_sources:
                problems.append(f"{code}: AZ data unknown (null) but azSources given")
        else:
            for sid in az_sources or [None]:
                uses(f"{code}.azSources", sid)
        for sid in region.get("armAzSources") or [None]:
            uses(f"{code}.armAzSources", sid)

    for sid in sources:
        if sid not in used:
            problems.append(f"source {sid}: declared but used by no figure")

    for problem in problems:
        print(f"problem: {problem}")
    complete = sum(
        1
        for r in regions
        if isinstance(r.get("fargate"), dict)
        and all(not n.startswith(f"{r.get('code')}.") for n in nulls)
    )
    print(f"{len(regions)} regions, {complete} with every price known, {len(nulls)} null price(s)")
    for where in nulls:
        print(f"  null: {where}")
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
