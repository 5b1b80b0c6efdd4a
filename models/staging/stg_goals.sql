{{ stage_goals(ref('goals')) }}
