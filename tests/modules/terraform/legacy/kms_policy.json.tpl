{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Root",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "Logs",
      "Effect": "Allow",
      "Principal": {
        "Service": "logs.us-east-1.amazonaws.com",
        "Service": "logs.${region}.amazonaws.com"
      },
      "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
      "Resource": "*"
    }
  ]
}
