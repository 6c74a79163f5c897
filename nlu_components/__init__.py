"""Custom NLU components. Loading them (which every Rasa process does with the model) also
applies the project's speed fixes to Rasa internals: see rasa_patches.py."""

import rasa_patches

rasa_patches.apply()
