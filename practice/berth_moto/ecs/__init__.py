"""ECS as a scheduler: task lifecycle, services, and the moto backend patches that drive them."""
