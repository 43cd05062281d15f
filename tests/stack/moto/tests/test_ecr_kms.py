"""KMS-encrypted repositories (rule ecr.kms.key-and-grants)."""

from helpers import code, error_of, name


def _kms_repository(ecr, repository, key):
    return ecr.create_repository(
        repositoryName=repository,
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key},
    )


def test_missing_kms_key_is_refused(account):
    ecr = account.client("ecr")
    missing = f"arn:aws:kms:us-east-1:{account.id}:key/00000000-0000-0000-0000-000000000000"
    for key in (missing, "alias/no-such-key"):
        error = error_of(lambda key=key: _kms_repository(ecr, name("kms"), key))
        assert code(error) == "KmsException", key
    # The AWS managed key (no kmsKey) and plain repositories are not affected.
    ecr.create_repository(repositoryName=name("managed"), encryptionConfiguration={"encryptionType": "KMS"})
    ecr.create_repository(repositoryName=name("plain"))


def test_grants_live_as_long_as_the_repository(account):
    kms = account.client("kms")
    ecr = account.client("ecr")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/berth-images", TargetKeyId=key)
    repository = name("kms")
    _kms_repository(ecr, repository, "alias/berth-images")
    grants = kms.list_grants(KeyId=key)["Grants"]
    assert len(grants) == 2
    assert {g["GranteePrincipal"] for g in grants} == {"ecr.us-east-1.amazonaws.com"}
    ecr.delete_repository(repositoryName=repository, force=True)
    assert kms.list_grants(KeyId=key)["Grants"] == []
