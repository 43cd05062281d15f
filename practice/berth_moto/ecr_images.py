"""ECR's images are what the registry that stands in for ECR holds.

Before DescribeImages, ListImages, BatchDeleteImage, PutImage and DeleteRepository, the
repository's image list is rebuilt from the registry's v2 API (tags, manifests, digests, layer
sizes), so what was pushed is what ECR shows. BatchDeleteImage and DeleteRepository --force
delete from the registry too, and PutImage writes the manifest there (refused if its layers were
never pushed).

Limits of the stand-in: the registry cannot list untagged manifests, so an image whose last tag
moved elsewhere disappears instead of showing as untagged; the push time is when the backend
first saw the digest.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from moto.ecr.models import ECRBackend, Image

from . import registry, settings
from .catalog import rule
from .errors import AwsError
from .interceptor import patch

log = logging.getLogger("berth_moto.ecr")

FROM_REGISTRY = rule(
    "ecr.images-from-registry",
    "DescribeImages/ListImages answer from the registry standing in for ECR (tags, digests, "
    "compressed sizes); BatchDeleteImage and DeleteRepository(force) delete there; a repository "
    "with pushed images cannot be deleted without force; PutImage of a manifest whose layers were "
    "never pushed answers LayersNotFoundException",
    "ecr:DescribeImages ecr:ListImages ecr:BatchDeleteImage ecr:DeleteRepository ecr:PutImage",
    "imageSizeInBytes: The size, in bytes, of the image in the repository. … Beginning with Docker "
    "version 1.9, the Docker client compresses image layers before pushing them to a V2 Docker "
    "registry. / When you remove the last tag from an image, the image is deleted from your "
    "repository. / LayersNotFoundException: The specified layers could not be found, or the "
    "specified layer is not valid for this repository.",
    "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html",
    (
        "test_ecr_registry.py::test_pushed_image_is_described",
        "test_ecr_registry.py::test_batch_delete_removes_from_registry",
        "test_ecr_registry.py::test_delete_repository_needs_force_after_push",
        "test_ecr_registry.py::test_put_image_without_layers",
    ),
)

_first_seen: dict[tuple[str, str], float] = {}
_hidden_tags: dict[tuple[str, str], str] = {}  # (registry name, tag) -> digest, untagged in ECR


def reset() -> None:
    _first_seen.clear()
    _hidden_tags.clear()


class RegistryImage(Image):
    """An ECR image read from the registry: its real digest, tags and compressed size."""

    def __init__(self, backend: ECRBackend, repository: Any, manifest: registry.Manifest, name: str):
        super().__init__(
            backend.account_id,
            None,
            manifest.text,
            repository.name,
            image_manifest_mediatype=manifest.media_type,
            digest=manifest.digest,
            registry_id=repository.registry_id,
        )
        self._size = manifest.size
        self.image_pushed_at = _first_seen.setdefault((name, manifest.digest), time.time())
        self.artifact_media_type = manifest.parsed.get("config", {}).get("mediaType")

    @property
    def image_size_in_bytes(self) -> int:  # type: ignore[override]
        return self._size

    def get_image_size_in_bytes(self) -> int:
        return self._size


def _active() -> bool:
    return FROM_REGISTRY.enabled and registry.configured()


def _name(backend: ECRBackend, repository_name: str) -> str:
    return registry.path(backend.account_id, backend.region_name, repository_name)


def sync(backend: ECRBackend, repository_name: str) -> None:
    repository = backend.repositories.get(repository_name)
    if repository is None or not _active():
        return
    name = _name(backend, repository_name)
    try:
        tags = registry.tags(name)
        manifests = {tag: registry.manifest(name, tag) for tag in tags}
    except (registry.RegistryError, OSError) as error:
        log.warning("registry unreachable, ECR shows its last view of %s: %s", name, error)
        return
    by_digest: dict[str, tuple[registry.Manifest, list[str]]] = {}
    for tag, manifest in manifests.items():
        if _hidden_tags.get((name, tag)) == manifest.digest:
            continue
        _hidden_tags.pop((name, tag), None)
        by_digest.setdefault(manifest.digest, (manifest, []))[1].append(tag)
    known = {image.get_image_digest(): image for image in repository.images}
    images = []
    for digest, (manifest, image_tags) in by_digest.items():
        image = known.get(digest)
        if not isinstance(image, RegistryImage):
            image = RegistryImage(backend, repository, manifest, name)
        image.image_tags = sorted(image_tags)
        image.image_tag = image.image_tags[-1]
        images.append(image)
    repository.images = images


@patch(ECRBackend, "describe_images")
def describe_images(original: Any, self: ECRBackend, repository_name: str, *args: Any, **kwargs: Any) -> Any:
    sync(self, repository_name)
    return original(self, repository_name, *args, **kwargs)


@patch(ECRBackend, "list_images")
def list_images(original: Any, self: ECRBackend, repository_name: str, *args: Any, **kwargs: Any) -> Any:
    sync(self, repository_name)
    return original(self, repository_name, *args, **kwargs)


@patch(ECRBackend, "batch_delete_image")
def batch_delete_image(
    original: Any, self: ECRBackend, repository_name: str, *args: Any, **kwargs: Any
) -> Any:
    sync(self, repository_name)
    repository = self.repositories.get(repository_name)
    before = {
        image.get_image_digest(): list(image.image_tags)
        for image in (repository.images if repository else [])
    }
    result = original(self, repository_name, *args, **kwargs)
    if repository is None or not _active():
        return result
    name = _name(self, repository_name)
    after = {image.get_image_digest(): list(image.image_tags) for image in repository.images}
    for digest, tags in before.items():
        if digest not in after:
            registry.delete_manifest(name, digest)
            for tag in tags:
                _hidden_tags.pop((name, tag), None)
        else:
            for tag in set(tags) - set(after[digest]):
                _hidden_tags[(name, tag)] = digest  # the registry cannot untag; ECR hides it
    return result


@patch(ECRBackend, "delete_repository")
def delete_repository(
    original: Any, self: ECRBackend, repository_name: str, registry_id: str | None = None, force: bool = False
) -> Any:
    sync(self, repository_name)
    repository = self.repositories.get(repository_name)
    digests = [image.get_image_digest() for image in repository.images] if repository else []
    result = original(self, repository_name, registry_id, force)
    if _active():
        name = _name(self, repository_name)
        for digest in digests:
            registry.delete_manifest(name, digest)
    return result


@patch(ECRBackend, "put_image")
def put_image(
    original: Any,
    self: ECRBackend,
    repository_name: str,
    image_manifest: str,
    image_tag: str,
    image_manifest_mediatype: str | None = None,
    digest: str | None = None,
) -> Any:
    sync(self, repository_name)
    image = original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)
    if not _active():
        return image
    name = _name(self, repository_name)
    media_type = (
        image_manifest_mediatype or image.image_manifest_media_type or registry.MANIFEST_TYPES.split(", ")[0]
    )
    try:
        registry.put_manifest(name, image_tag or image.get_image_digest(), image_manifest, media_type)
    except registry.RegistryError as error:
        sync(self, repository_name)  # undo moto's record: the registry is the truth
        if "BLOB_UNKNOWN" in " ".join(error.codes) or "MANIFEST_BLOB_UNKNOWN" in error.body:
            raise AwsError(
                "LayersNotFoundException",
                "The specified layers could not be found, or the specified layer is not valid for this repository.",
            ) from None
        raise AwsError(
            "InvalidParameterException",
            f"Invalid parameter at 'imageManifest' failed to satisfy constraint: '{error}'",
        ) from None
    sync(self, repository_name)
    return image


TOKEN = rule(
    "ecr.authorization-token",
    "GetAuthorizationToken's token expires 12 hours after the call (moto: in 2015) and decodes to "
    "the registry standing in for ECR's credentials in every account (moto: <account>-auth-token)",
    "ecr:GetAuthorizationToken",
    "The authorization token is valid for 12 hours. The authorizationToken returned is a base64 "
    "encoded string that can be decoded and used in a docker login command to authenticate to a "
    "registry.",
    "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html",
    "test_ecr_registry.py::test_authorization_token_logs_in_to_the_registry",
)


def _install_token() -> None:
    import base64
    import datetime

    from moto.core.responses import ActionResult
    from moto.ecr.responses import ECRResponse

    original = ECRResponse.get_authorization_token

    def get_authorization_token(self: Any) -> Any:
        if not TOKEN.enabled:
            return original(self)
        registry_ids = self._get_param("registryIds") or [self.current_account]
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=12)
        password = settings.SETTINGS.registry_password or f"{self.current_account}-auth-token"
        user = settings.SETTINGS.registry_user or "AWS"
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return ActionResult(
            {
                "authorizationData": [
                    {
                        "authorizationToken": token,
                        "expiresAt": expires,
                        "proxyEndpoint": f"https://{registry_id}.dkr.ecr.{self.region}.amazonaws.com",
                    }
                    for registry_id in registry_ids
                ]
            }
        )

    ECRResponse.get_authorization_token = get_authorization_token


_install_token()
