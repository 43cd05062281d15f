"""ECR shows what the registry holds (rule ecr.images-from-registry)."""

import json
import urllib.request

from helpers import code, error_of, name, push

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _registry_tags(registry, repository):
    import base64

    request = urllib.request.Request(f"http://{registry.address}/v2/{repository}/tags/list")
    request.add_header(
        "Authorization", "Basic " + base64.b64encode(f"{registry.user}:{registry.password}".encode()).decode()
    )
    try:
        with NO_PROXY.open(request, timeout=5) as response:
            return json.loads(response.read()).get("tags") or []
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise


def test_pushed_image_is_described(account, engine, registry):
    ecr = account.client("ecr")
    repository = name("app")
    ecr.create_repository(repositoryName=repository)
    digest = push(engine, registry, repository, "v1")
    [image] = ecr.describe_images(repositoryName=repository)["imageDetails"]
    assert image["imageTags"] == ["v1"]
    assert image["imageDigest"] == digest
    layers = engine.api.inspect_distribution(f"{registry.address}/{repository}:v1", auth_config=registry.auth)
    assert layers["Descriptor"]["digest"] == digest
    assert 0 < image["imageSizeInBytes"] < engine.images.get("berth-test/busybox:latest").attrs["Size"]
    assert ecr.list_images(repositoryName=repository)["imageIds"] == [
        {"imageDigest": digest, "imageTag": "v1"}
    ]


def test_batch_delete_removes_from_registry(account, engine, registry):
    ecr = account.client("ecr")
    repository = name("app")
    ecr.create_repository(repositoryName=repository)
    push(engine, registry, repository, "v1")
    result = ecr.batch_delete_image(repositoryName=repository, imageIds=[{"imageTag": "v1"}])
    assert result["failures"] == []
    assert ecr.describe_images(repositoryName=repository)["imageDetails"] == []
    assert _registry_tags(registry, repository) == []


def test_delete_repository_needs_force_after_push(account, engine, registry):
    ecr = account.client("ecr")
    repository = name("app")
    ecr.create_repository(repositoryName=repository)
    push(engine, registry, repository, "v1")
    assert (
        code(error_of(lambda: ecr.delete_repository(repositoryName=repository)))
        == "RepositoryNotEmptyException"
    )
    ecr.delete_repository(repositoryName=repository, force=True)
    assert _registry_tags(registry, repository) == []


def test_put_image_without_layers(account, registry):
    ecr = account.client("ecr")
    repository = name("app")
    ecr.create_repository(repositoryName=repository)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 2,
            "digest": "sha256:" + "1" * 64,
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 3,
                "digest": "sha256:" + "2" * 64,
            }
        ],
    }
    error = error_of(
        lambda: ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag="v1")
    )
    assert code(error) == "LayersNotFoundException"
    assert ecr.describe_images(repositoryName=repository)["imageDetails"] == []


def test_authorization_token_logs_in_to_the_registry(account, engine, registry):
    import base64
    import datetime

    data = account.client("ecr").get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    hours = (data["expiresAt"] - datetime.datetime.now(datetime.UTC)).total_seconds() / 3600
    assert 11.9 < hours <= 12
    assert data["proxyEndpoint"] == f"https://{account.id}.dkr.ecr.us-east-1.amazonaws.com"
    assert (
        engine.login(
            username=user,
            password=password,
            registry=registry.address,
            reauth=True,
            dockercfg_path="/dev/null",
        )["Status"]
        == "Login Succeeded"
    )
