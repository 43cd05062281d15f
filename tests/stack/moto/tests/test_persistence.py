"""Practice data kept between runs (--state-file): what was made is there after a restart; what ran
was stopped by the shutdown and a service starts its tasks again."""

import signal

from conftest import start_backend, stop_backend
from helpers import (
    HTTPD,
    ecr_image,
    execution_role,
    fargate_definition,
    http_get,
    network,
    public_ip,
    wait_for,
)

from berth_moto.persistence import STOPPED_REASON


def _get(url):
    try:
        return http_get(url, timeout=1)
    except OSError:
        return None


def _running_task(ecs):
    arns = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    tasks = ecs.describe_tasks(cluster="c", tasks=arns)["tasks"] if arns else []
    running = [t for t in tasks if t["lastStatus"] == "RUNNING"]
    return running[0] if running else None


def test_accounts_survive_a_restart_and_services_run_again(registry, engine, tmp_path):
    state = tmp_path / "practice.pickle"
    from conftest import new_account

    proc, backend = start_backend(registry, tmp_path, ("--state-file", str(state)))
    try:
        account = new_account(backend)
        backend.account(account.id, ecs_service_linked_role=True)
        ecs = account.client("ecs")
        ecs.create_cluster(clusterName="c")
        role = execution_role(account)
        image = ecr_image(account, engine, registry)
        account.client("logs").create_log_group(logGroupName="/berth/web")
        fargate_definition(ecs, "web", image=image, command=HTTPD, environment={"GREETING": "kept"})
        ecs.create_service(
            cluster="c",
            serviceName="web",
            taskDefinition="web",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=network(account),
        )
        first = wait_for("a running task", lambda: _running_task(ecs), 40)
        address = public_ip(account, first)
        assert wait_for("the page", lambda: _get(f"http://{address}:8080/index.html"), 10) == "kept\n"
    finally:
        # SIGTERM, as Berth stops practice: the state is written, the containers removed.
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    assert state.exists() and state.stat().st_mode & 0o077 == 0, "the state file must be the user's only"
    left = engine.containers.list(all=True, filters={"label": f"berth.moto.instance={backend.instance}"})
    assert not left, "the stopped backend left containers"

    proc, backend = start_backend(registry, tmp_path, ("--state-file", str(state)))
    try:
        account.backend = backend
        ecs = account.client("ecs")
        assert account.client("iam").get_role(RoleName=role.rsplit("/", 1)[-1])["Role"]["Arn"] == role
        repositories = account.client("ecr").describe_repositories()["repositories"]
        assert [r["repositoryName"] for r in repositories] == [image.split("/", 1)[1].split(":")[0]]
        assert account.client("ecr").describe_images(repositoryName=repositories[0]["repositoryName"])[
            "imageDetails"
        ]
        groups = account.client("logs").describe_log_groups()["logGroups"]
        assert "/berth/web" in [g["logGroupName"] for g in groups]
        service = ecs.describe_services(cluster="c", services=["web"])["services"][0]
        assert service["status"] == "ACTIVE" and service["desiredCount"] == 1
        old = ecs.describe_tasks(cluster="c", tasks=[first["taskArn"]])["tasks"][0]
        assert old["lastStatus"] == "STOPPED"
        assert old["stoppedReason"] == STOPPED_REASON
        # The service replaces the task that stopped with the backend, and it serves again.
        second = wait_for("a new running task", lambda: _running_task(ecs), 40)
        assert second["taskArn"] != first["taskArn"]
        address = public_ip(account, second)
        assert wait_for("the page again", lambda: _get(f"http://{address}:8080/index.html"), 10) == "kept\n"
    finally:
        stop_backend(proc, backend, engine)


def test_an_unreadable_state_file_is_kept_aside(registry, engine, tmp_path):
    state = tmp_path / "practice.pickle"
    state.write_bytes(b"not a pickle")
    proc, backend = start_backend(registry, tmp_path, ("--state-file", str(state)))
    try:
        assert backend.client("ecs").list_clusters()["clusterArns"] == []
        assert (tmp_path / "practice.pickle.unreadable").read_bytes() == b"not a pickle"
    finally:
        stop_backend(proc, backend, engine)
