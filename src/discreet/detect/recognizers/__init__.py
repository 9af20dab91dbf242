"""Built-in recognizers. Each module registers its recognizers with `@builtin`."""
