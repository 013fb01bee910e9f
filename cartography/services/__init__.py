"""Changes to the cartography of clients and to the firm's catalogues; see each module."""

from cartography.services.catalogue import (
    add_platform,
    add_software_product,
    install_default_catalogues,
    merge_platforms,
    merge_software_products,
    refresh_platforms,
    set_platform_active,
    set_software_product_active,
    update_platform,
    update_software_product,
)
from cartography.services.equipment import (
    add_client_software,
    clear_client_platform,
    remove_client_software,
    set_client_platform,
    update_client_software,
)
from cartography.services.profile import parse_profile_answer, save_digital_profile

__all__ = [
    "add_client_software",
    "add_platform",
    "add_software_product",
    "clear_client_platform",
    "install_default_catalogues",
    "merge_platforms",
    "merge_software_products",
    "parse_profile_answer",
    "refresh_platforms",
    "remove_client_software",
    "save_digital_profile",
    "set_client_platform",
    "set_platform_active",
    "set_software_product_active",
    "update_client_software",
    "update_platform",
    "update_software_product",
]
