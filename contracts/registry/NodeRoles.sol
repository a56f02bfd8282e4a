// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title NodeRoles
/// @notice The roles a node can register for, as bits of a `uint8` mask. A node may hold several.
library NodeRoles {
    /// @notice Runs GPU jobs; stakes collateral; earns reputation.
    uint8 internal constant PROVIDER = 1 << 0;
    /// @notice Re-executes audited jobs and sits on dispute committees.
    uint8 internal constant VALIDATOR = 1 << 1;
    /// @notice Reports outside data (energy prices) to the oracle hub.
    uint8 internal constant ORACLE = 1 << 2;
    /// @notice Submits jobs.
    uint8 internal constant REQUESTER = 1 << 3;
    /// @notice Every role bit that exists.
    uint8 internal constant ALL = PROVIDER | VALIDATOR | ORACLE | REQUESTER;

    /// @notice Whether `role` is exactly one known role bit.
    function isSingleRole(uint8 role) internal pure returns (bool) {
        return role != 0 && role & ALL == role && role & (role - 1) == 0;
    }

    /// @notice Whether `roles` is a non-empty combination of known role bits.
    function isValidMask(uint8 roles) internal pure returns (bool) {
        return roles != 0 && roles & ALL == roles;
    }
}
