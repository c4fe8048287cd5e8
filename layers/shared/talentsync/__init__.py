"""TalentSync interview pipeline: the code every Lambda function shares."""
