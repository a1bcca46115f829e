"""achievements"""
