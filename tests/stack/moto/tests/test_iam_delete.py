"""Deleting an IAM user (rule iam.delete-user.attachments)."""

from helpers import code, error_of


def test_user_with_an_access_key_cannot_be_deleted(account):
    iam = account.client("iam")
    iam.create_user(UserName="deploy")
    key = iam.create_access_key(UserName="deploy")["AccessKey"]["AccessKeyId"]
    error = error_of(lambda: iam.delete_user(UserName="deploy"))
    assert code(error) == "DeleteConflict"
    iam.delete_access_key(UserName="deploy", AccessKeyId=key)
    iam.delete_user(UserName="deploy")
