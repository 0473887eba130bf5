"""The partial CUE evaluator: values, scopes, vertices, builtins."""
