"""The suite measuring itself: the mutant catalogue (kill rates) and false-alarm calibration."""
