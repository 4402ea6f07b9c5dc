"""The automations: seed 001's Renewal Risk Detector, API Health Monitor and daily health refresh,
and the CS program plan's health alerts, run by `csm automate` (cron or a systemd timer).

- `rules.py`: one function per rule, over one open store Transaction: what it writes and the
  alerts it raises (decisions at its top).
- `alerts.py`: the alert rows: raised at most once per account, kind, subject and day.
- `notify.py`: posting an alert to Slack's incoming webhook (retries, timeout, no secret in errors).
- `runner.py`: one run: each rule in its own locked transaction (change-log source
  `automation:<rule>`), then its alerts delivered, then the run logged.
- `runs.py`: the automation log (`AutomationRuns`): recorded, read, kept to the newest runs.
"""
