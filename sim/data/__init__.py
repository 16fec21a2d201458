"""Input data: the occupation tables shipped with the package (SOC major groups, and the
detailed occupations derived from O*NET x BLS, with their licence and attribution in
``NOTICE``), the builders that derive them from the raw data, and their loaders as arrays
(:mod:`sim.data.occupations`).
"""
