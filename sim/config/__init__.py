"""Configuration: the validated parameter schema with each parameter's unit, range and source
(:mod:`sim.config.schema`, :class:`SimConfig`); loading defaults, a YAML file, a scenario
overlay and ``--set`` overrides (:mod:`sim.config.loading`); reading YAML a user wrote
(:mod:`sim.config.yaml_io`); the table of every parameter (:mod:`sim.config.paramdoc`); and the
peer models' presets (:mod:`sim.config.peers`). Importing it is cheap: no model, no numba.
"""
