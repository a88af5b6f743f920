"""Tests of the CDK app. jsii prints a banner on start because Node 20 is past end of life; synthesis is
unaffected, so it is silenced before any test module imports aws_cdk."""

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
