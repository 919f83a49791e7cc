"""reports: renders verification and benchmark results into one self-contained HTML file."""
