"""The HPO benchmark suite's parts: functions, tasks, method adapters and measures.

Run it through ``benchmarks/hpo_suite.py``; ``benchmarks/search_overhead.py``
measures the searchers' own cost per trial.
"""
