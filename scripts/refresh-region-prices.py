#!/usr/bin/env python3
"""Refresh the prices in src-tauri/core/data/regions.json from AWS's own machine-readable price data.

Only the price fields are touched (`fargate`, `publicIpv4Hour`) and the `published`/`read` dates of
the price sources; opt-in and Availability Zone data are curated by hand (docs/region-data.md).
A figure the input does not carry becomes null: nothing is estimated or carried over.

Inputs (download them yourself; this script makes no network call):

  --ecs-unit-map FILE   https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/ecs/USD/current/ecs.json
                        (the feed behind https://aws.amazon.com/fargate/pricing/)
  --vpc-unit-map FILE   https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/vpc/USD/current/vpc.json
or, per region, AWS Price List offer files (bulk API, service codes AmazonECS and AmazonVPC):
  --ecs-offer FILE...   https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonECS/current/<region>/index.json
  --vpc-offer FILE...   https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonVPC/current/<region>/index.json

  --read YYYY-MM-DD     the day the inputs were downloaded (default: today)
  --data FILE           the data file (default: src-tauri/core/data/regions.json)

Then run scripts/check-region-data.py.
"""
import argparse
import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "src-tauri/core/data/regions.json"

# The price feeds key regions by the Price List's `location` name.
LOCATION = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-central-2": "EU (Zurich)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-south-1": "EU (Milan)",
    "eu-south-2": "EU (Spain)",
    "eu-north-1": "EU (Stockholm)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-south-1": "Middle East (Bahrain)",
    "me-central-1": "Middle East (UAE)",
    "sa-east-1": "South America (Sao Paulo)",
}

# ecs.json names its rates; each name's rateCode is a Price List SKU (e.g. USE1's
# "perCPU per hour" is SKU 8CESGAFWKAJ98PME, usage type USE1-Fargate-vCPU-Hours:perCPU).
UNIT_MAP_KEYS = {
    ("x86", "vcpuHour"): "perCPU per hour",             # <prefix>-Fargate-vCPU-Hours:perCPU
    ("x86", "gbHour"): "perGB per hour",                # <prefix>-Fargate-GB-Hours
    ("arm", "vcpuHour"): "ARM perCPU per hour",         # <prefix>-Fargate-ARM-vCPU-Hours:perCPU
    ("arm", "gbHour"): "ARM perGB per hour",            # <prefix>-Fargate-ARM-GB-Hours
    ("ephemeral", None): "Storage per GB-Hours",        # <prefix>-Fargate-EphemeralStorage-GB-Hours
}
IPV4_UNIT_MAP_KEY = "Hourly charge for In use Public IPv4 Addresses per Hrs"

# Price List usage types, without the regional prefix ("USE1-", "EU-", ...).
OFFER_USAGE = {
    ("x86", "vcpuHour"): "-Fargate-vCPU-Hours:perCPU",
    ("x86", "gbHour"): "-Fargate-GB-Hours",
    ("arm", "vcpuHour"): "-Fargate-ARM-vCPU-Hours:perCPU",
    ("arm", "gbHour"): "-Fargate-ARM-GB-Hours",
    ("ephemeral", None): "-Fargate-EphemeralStorage-GB-Hours",
}
IPV4_OFFER_USAGE = "-PublicIPv4:InUseAddress"


def number(text):
    """'0.0404800000' -> 0.04048; a missing or non-positive price is None."""
    if text is None:
        return None
    value = Decimal(str(text))
    if value <= 0:
        return None
    return float(value.normalize())


def from_unit_map(path, keys_by_field):
    feed = json.loads(Path(path).read_text())
    published = feed.get("manifest", {}).get("hawkFilePublicationDate", "")[:10] or None
    by_region = {}
    for code, location in LOCATION.items():
        rates = feed.get("regions", {}).get(location, {})
        by_region[code] = {
            field: number(rates.get(key, {}).get("price")) for field, key in keys_by_field.items()
        }
    return published, by_region


def from_offers(paths, usage_by_field):
    """Price List offer files, one per region (products + terms.OnDemand)."""
    published = None
    by_region = {}
    for path in paths:
        offer = json.loads(Path(path).read_text())
        date = (offer.get("publicationDate") or "")[:10] or None
        published = max(filter(None, [published, date]), default=None)
        for sku, product in offer.get("products", {}).items():
            attrs = product.get("attributes", {})
            code = attrs.get("regionCode")
            usage = attrs.get("usagetype", "")
            if code not in LOCATION:
                continue
            for field, suffix in usage_by_field.items():
                # The regional prefix has no '-' of its own ("USE1", "EU", "APN1"...).
                if usage.endswith(suffix) and "-" not in usage[: -len(suffix)]:
                    for term in offer.get("terms", {}).get("OnDemand", {}).get(sku, {}).values():
                        for dim in term.get("priceDimensions", {}).values():
                            by_region.setdefault(code, {})[field] = number(
                                dim.get("pricePerUnit", {}).get("USD")
                            )
    return published, {code: by_region.get(code, {}) for code in LOCATION}


PRICE_SOURCES = {
    "aws-price-feed-ecs": {
        "url": "https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/ecs/USD/current/ecs.json",
        "what": "AWS's metered-unit price feed for Amazon ECS, the data behind https://aws.amazon.com/fargate/pricing/. "
        "Each rate's rateCode is a Price List SKU (e.g. us-east-1 'perCPU per hour' = SKU 8CESGAFWKAJ98PME, "
        "usage type USE1-Fargate-vCPU-Hours:perCPU). 'published' is the feed's manifest.hawkFilePublicationDate.",
    },
    "aws-price-feed-vpc": {
        "url": "https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/vpc/USD/current/vpc.json",
        "what": "AWS's metered-unit price feed for Amazon VPC: 'Hourly charge for In use Public IPv4 Addresses' "
        "(usage type <prefix>-PublicIPv4:InUseAddress). 'published' is the feed's manifest.hawkFilePublicationDate.",
    },
    "aws-price-list-ecs": {
        "url": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonECS/current/region_index.json",
        "what": "AWS Price List bulk offer files for AmazonECS, one per region; usage types "
        "<prefix>-Fargate-vCPU-Hours:perCPU, -Fargate-GB-Hours, -Fargate-ARM-vCPU-Hours:perCPU, "
        "-Fargate-ARM-GB-Hours, -Fargate-EphemeralStorage-GB-Hours (OnDemand). 'published' is the newest "
        "publicationDate among the files read.",
    },
    "aws-price-list-vpc": {
        "url": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonVPC/current/region_index.json",
        "what": "AWS Price List bulk offer files for AmazonVPC, one per region; usage type "
        "<prefix>-PublicIPv4:InUseAddress (OnDemand). 'published' is the newest publicationDate among the files read.",
    },
}


def set_source(data, source_id, published, read, mirror=None):
    """Put the price source used into `sources` (replacing an older entry of the same id)."""
    entry = {"id": source_id, **PRICE_SOURCES[source_id], "published": published, "read": read}
    if mirror:
        entry["mirror"] = mirror
    data["sources"] = [s for s in data["sources"] if s["id"] != source_id] + [entry]


def drop_unused_price_sources(data):
    used = {r["fargate"]["source"] for r in data["regions"]} | {r["publicIpv4Source"] for r in data["regions"]}
    data["sources"] = [s for s in data["sources"] if s["id"] not in PRICE_SOURCES or s["id"] in used]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--ecs-unit-map")
    parser.add_argument("--vpc-unit-map")
    parser.add_argument("--ecs-offer", nargs="+")
    parser.add_argument("--vpc-offer", nargs="+")
    parser.add_argument("--read", default=datetime.date.today().isoformat())
    parser.add_argument("--ecs-mirror", help="where the ECS input was copied from, if not from AWS directly")
    parser.add_argument("--vpc-mirror", help="where the VPC input was copied from, if not from AWS directly")
    args = parser.parse_args()
    if bool(args.ecs_unit_map) == bool(args.ecs_offer):
        sys.exit("give exactly one of --ecs-unit-map, --ecs-offer")
    if bool(args.vpc_unit_map) == bool(args.vpc_offer):
        sys.exit("give exactly one of --vpc-unit-map, --vpc-offer")

    data = json.loads(Path(args.data).read_text())

    if args.ecs_unit_map:
        ecs_source = "aws-price-feed-ecs"
        ecs_published, ecs = from_unit_map(args.ecs_unit_map, UNIT_MAP_KEYS)
    else:
        ecs_source = "aws-price-list-ecs"
        ecs_published, ecs = from_offers(args.ecs_offer, OFFER_USAGE)
    if args.vpc_unit_map:
        vpc_source = "aws-price-feed-vpc"
        vpc_published, vpc = from_unit_map(args.vpc_unit_map, {"ipv4": IPV4_UNIT_MAP_KEY})
    else:
        vpc_source = "aws-price-list-vpc"
        vpc_published, vpc = from_offers(args.vpc_offer, {"ipv4": IPV4_OFFER_USAGE})

    set_source(data, ecs_source, ecs_published, args.read, args.ecs_mirror)
    set_source(data, vpc_source, vpc_published, args.read, args.vpc_mirror)

    for region in data["regions"]:
        rates = ecs.get(region["code"], {})
        region["fargate"] = {
            "x86": {"vcpuHour": rates.get(("x86", "vcpuHour")), "gbHour": rates.get(("x86", "gbHour"))},
            "arm": {"vcpuHour": rates.get(("arm", "vcpuHour")), "gbHour": rates.get(("arm", "gbHour"))},
            "ephemeralGbHour": rates.get(("ephemeral", None)),
            "source": ecs_source,
        }
        region["publicIpv4Hour"] = vpc.get(region["code"], {}).get("ipv4")
        region["publicIpv4Source"] = vpc_source

    drop_unused_price_sources(data)
    Path(args.data).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    missing = [
        f"{r['code']}: {name}"
        for r in data["regions"]
        for name, value in [
            ("x86.vcpuHour", r["fargate"]["x86"]["vcpuHour"]),
            ("x86.gbHour", r["fargate"]["x86"]["gbHour"]),
            ("arm.vcpuHour", r["fargate"]["arm"]["vcpuHour"]),
            ("arm.gbHour", r["fargate"]["arm"]["gbHour"]),
            ("ephemeralGbHour", r["fargate"]["ephemeralGbHour"]),
            ("publicIpv4Hour", r["publicIpv4Hour"]),
        ]
        if value is None
    ]
    print(f"wrote {args.data}; {len(missing)} figure(s) null" + ("".join(f"\n  {m}" for m in missing)))


if __name__ == "__main__":
    main()
