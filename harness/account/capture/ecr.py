"""The ECR section of a capture (`--services ecr`), one Region: every repository's policy.

DescribeRepositories (every page), then per repository GetRepositoryPolicy (a repository
without one answers RepositoryPolicyNotFoundException,
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetRepositoryPolicy.html)
and ListTagsForResource. Gap rules: policies.py.
"""

from __future__ import annotations

from typing import Any

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.gaps import tags
from harness.account.capture.policies import PolicySection, ResourceReader, listed

_NO_POLICY = frozenset({"RepositoryPolicyNotFoundException"})


def capture_ecr(calls: ServiceCalls, account_id: str) -> PolicySection:
    out = PolicySection()
    section = f"ecr/{calls.region}"
    repositories: list[dict[str, Any]] | None = listed(
        calls,
        account_id,
        section,
        out,
        lambda: calls.items(
            "DescribeRepositories", "repositories", token_in="nextToken", token_out="nextToken"
        ),
    )
    for repo in sorted(repositories or [], key=lambda r: r["repositoryArn"]):
        reader = ResourceReader(calls, account_id, section, repo["repositoryArn"])
        name = repo["repositoryName"]
        found = reader.read(lambda n=name: calls.call("GetRepositoryPolicy", repositoryName=n), _NO_POLICY)
        reader.policy((found or {}).get("policyText"))
        arn = repo["repositoryArn"]
        listed_tags = reader.read(lambda a=arn: calls.call("ListTagsForResource", resourceArn=a))
        reader.tags(tags((listed_tags or {}).get("tags")))
        reader.done(out)
    return out
