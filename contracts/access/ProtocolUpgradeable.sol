// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

import {IProtocolUpgradeable} from "../interfaces/IProtocolUpgradeable.sol";

/// @title ProtocolUpgradeable
/// @notice The base of every stateful StarMiner contract: UUPS proxy, AccessManager-guarded privileged
/// functions, and a pause switch.
/// @dev Inheritors keep their own state in an ERC-7201 namespace (`starminer.storage.<Contract>`) so that
/// the layout of this base and of OpenZeppelin's bases can never collide with theirs across upgrades.
/// Upgrades are authorized by the AccessManager for `upgradeToAndCall`, so the upgrade right is a role
/// assignment that governance controls, never a hard-coded owner.
abstract contract ProtocolUpgradeable is
    Initializable,
    UUPSUpgradeable,
    AccessManagedUpgradeable,
    PausableUpgradeable,
    IProtocolUpgradeable
{
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    // solhint-disable-next-line func-name-mixedcase
    function __ProtocolUpgradeable_init(address initialAuthority) internal onlyInitializing {
        if (initialAuthority == address(0)) revert ProtocolZeroAuthority();
        __AccessManaged_init(initialAuthority);
        __Pausable_init();
    }

    /// @inheritdoc IProtocolUpgradeable
    function pause() external restricted {
        _pause();
    }

    /// @inheritdoc IProtocolUpgradeable
    function unpause() external restricted {
        _unpause();
    }

    /// @dev `restricted` checks the selector of the call that entered the contract, which is
    /// `upgradeToAndCall`: the only caller of this hook.
    function _authorizeUpgrade(address) internal override restricted {}
}
