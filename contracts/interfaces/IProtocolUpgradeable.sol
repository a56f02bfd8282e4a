// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProtocolUpgradeable
/// @notice The surface every stateful StarMiner contract shares: an upgradeable (UUPS) proxy whose
/// privileged functions are guarded by the protocol's single AccessManager, and an emergency pause.
/// @dev Which role may call `pause`, `unpause` and `upgradeToAndCall` is configured in the AccessManager,
/// not in code: by convention the Guardian may pause and only governance may unpause or upgrade.
interface IProtocolUpgradeable {
    /// @notice The authority given at initialization was the zero address.
    error ProtocolZeroAuthority();

    /// @notice Stops every pausable operation of this contract at once.
    /// @dev Restricted (Guardian by convention). Emits {Pausable.Paused}.
    function pause() external;

    /// @notice Resumes the operations stopped by {pause}.
    /// @dev Restricted (governance by convention). Emits {Pausable.Unpaused}.
    function unpause() external;
}
