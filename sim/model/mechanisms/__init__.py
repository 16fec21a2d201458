"""The mechanisms agents use, one job per module: training compute and capability, copies and
their speed, hardware, research, tasks and their thresholds, the task market's compiled kernel,
production and the labour market. Functions of arrays with the scenario axis first.
"""
