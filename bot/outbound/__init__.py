"""The outbound side: everything the bot tells Slack after a change, from outbox job to Web API call."""
