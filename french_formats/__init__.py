"""French formats of numbers and dates, shared by the apps and their pure rules packages."""
