"""The programme with a participant or a group: plans, session logs, goals, groups, relapse plan, IMRS."""
