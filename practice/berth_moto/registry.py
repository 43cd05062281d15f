"""The registry that stands in for ECR: image references and a small Docker Registry v2 client.

``<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`` lives in the registry at
``SETTINGS.registry_path`` (default: just ``<repository>``), reached with the registry's basic-auth
credentials (the launcher's settings; up.sh passes the stack's).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from .settings import SETTINGS

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[^:@]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)


@dataclass
class EcrImage:
    account: str
    region: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        """The reference ECR users write, as given."""
        base = f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{self.repository}"
        if self.digest:
            return f"{base}@{self.digest}"
        return f"{base}:{self.tag or 'latest'}"

    @property
    def local_repository(self) -> str:
        return f"{SETTINGS.registry}/{path(self.account, self.region, self.repository)}"


def parse_ecr(image: str) -> EcrImage | None:
    match = ECR_IMAGE.match(image or "")
    if not match:
        return None
    return EcrImage(**match.groupdict())


def path(account: str, region: str, repository: str) -> str:
    return SETTINGS.registry_path.format(account=account, region=region, repository=repository)


def configured() -> bool:
    return bool(SETTINGS.registry)


class RegistryError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"registry answered {status}: {body[:300]}")
        self.status = status
        self.body = body

    @property
    def codes(self) -> list[str]:
        try:
            return [e.get("code", "") for e in json.loads(self.body).get("errors", [])]
        except ValueError:
            return []


def _request(
    method: str, url_path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://{SETTINGS.registry}{url_path}", data=body, method=method)
    if SETTINGS.registry_user:
        pair = f"{SETTINGS.registry_user}:{SETTINGS.registry_password}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        raise RegistryError(error.code, error.read().decode("utf-8", "replace")) from None


def tags(name: str) -> list[str]:
    try:
        _, _, body = _request("GET", f"/v2/{name}/tags/list")
    except RegistryError as error:
        if error.status == 404:
            return []
        raise
    return json.loads(body).get("tags") or []


@dataclass
class Manifest:
    digest: str
    media_type: str
    text: str
    size: int  # what ECR reports: the compressed layers as pushed

    @property
    def parsed(self) -> dict[str, Any]:
        return json.loads(self.text)


def manifest(name: str, reference: str) -> Manifest:
    _, headers, body = _request(
        "GET", f"/v2/{name}/manifests/{reference}", headers={"Accept": MANIFEST_TYPES}
    )
    text = body.decode()
    parsed = json.loads(text)
    size = sum(layer.get("size", 0) for layer in parsed.get("layers", []))
    lower = {k.lower(): v for k, v in headers.items()}
    return Manifest(
        digest=lower.get("docker-content-digest", ""),
        media_type=parsed.get("mediaType") or lower.get("content-type", ""),
        text=text,
        size=size,
    )


def put_manifest(name: str, reference: str, text: str, media_type: str) -> str:
    _, headers, _ = _request(
        "PUT", f"/v2/{name}/manifests/{reference}", body=text.encode(), headers={"Content-Type": media_type}
    )
    return {k.lower(): v for k, v in headers.items()}.get("docker-content-digest", "")


def delete_manifest(name: str, digest: str) -> None:
    try:
        _request("DELETE", f"/v2/{name}/manifests/{digest}")
    except RegistryError as error:
        if error.status != 404:
            raise
