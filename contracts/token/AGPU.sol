// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {IAGPU} from "../interfaces/IAGPU.sol";

/// @title AGPU
/// @notice StarMiner's utility token: ERC-20 with EIP-2612 permits, burnable, capped, and minted after
/// genesis only through a declining per-epoch emissions budget.
/// @dev Not upgradeable and no parameter is governed: the monetary schedule is fixed at deployment. Only
/// the right to mint within the budget is a role, assigned through the protocol's AccessManager.
contract AGPU is ERC20, ERC20Permit, ERC20Burnable, ERC20Capped, AccessManaged, IAGPU {
    /// @notice The hard cap on the total supply: one billion AGPU.
    uint256 public constant MAX_SUPPLY = 1_000_000_000 ether;

    uint256 private constant _MIN_EPOCH_DURATION = 1 hours;
    uint256 private constant _MAX_EPOCH_DURATION = 365 days;

    /// @inheritdoc IAGPU
    uint256 public immutable genesisSupply;
    /// @inheritdoc IAGPU
    uint256 public immutable emissionStart;
    /// @inheritdoc IAGPU
    uint256 public immutable epochDuration;
    /// @inheritdoc IAGPU
    uint256 public immutable initialEpochEmission;
    /// @inheritdoc IAGPU
    uint256 public immutable halvingEpochs;

    mapping(uint256 epoch => uint256 minted) private _emittedInEpoch;
    uint256 private _totalEmitted;

    /// @param authority The protocol's AccessManager.
    /// @param genesisRecipient Receives `genesisSupply_` at deployment.
    /// @param genesisSupply_ The supply minted at deployment (may be zero).
    /// @param epochDuration_ Seconds per emissions epoch (1 hour to 365 days).
    /// @param initialEpochEmission_ The budget of epoch 0.
    /// @param halvingEpochs_ Epochs per halving period (at least 1).
    constructor(
        address authority,
        address genesisRecipient,
        uint256 genesisSupply_,
        uint256 epochDuration_,
        uint256 initialEpochEmission_,
        uint256 halvingEpochs_
    ) ERC20("StarMiner GPU", "AGPU") ERC20Permit("StarMiner GPU") ERC20Capped(MAX_SUPPLY) AccessManaged(authority) {
        if (epochDuration_ < _MIN_EPOCH_DURATION || epochDuration_ > _MAX_EPOCH_DURATION) {
            revert AGPUInvalidSchedule("epochDuration");
        }
        if (halvingEpochs_ == 0) revert AGPUInvalidSchedule("halvingEpochs");
        if (genesisSupply_ != 0 && genesisRecipient == address(0)) revert AGPUZeroAddress();

        // Each halving period emits at most `halvingEpochs * budget-at-its-start`, and the budget at the start
        // of period p is `initial >> p`, so the whole schedule emits less than `2 * halvingEpochs * initial`.
        uint256 bound = genesisSupply_ + 2 * halvingEpochs_ * initialEpochEmission_;
        if (bound > MAX_SUPPLY) revert AGPUScheduleExceedsCap(bound, MAX_SUPPLY);

        genesisSupply = genesisSupply_;
        emissionStart = block.timestamp;
        epochDuration = epochDuration_;
        initialEpochEmission = initialEpochEmission_;
        halvingEpochs = halvingEpochs_;

        if (genesisSupply_ != 0) _mint(genesisRecipient, genesisSupply_);
    }

    // ---------------------------------------------------------------------------------------------
    // Emissions
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAGPU
    function mintEmission(address to, uint256 amount) external restricted {
        if (amount == 0) revert AGPUZeroAmount();
        uint256 epoch = currentEpoch();
        uint256 minted = _emittedInEpoch[epoch];
        uint256 remaining = emissionBudget(epoch) - minted;
        if (amount > remaining) revert AGPUEmissionBudgetExceeded(epoch, amount, remaining);

        _emittedInEpoch[epoch] = minted + amount;
        _totalEmitted += amount;
        _mint(to, amount);
        emit EmissionMinted(epoch, to, amount, remaining - amount);
    }

    /// @inheritdoc IAGPU
    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - emissionStart) / epochDuration;
    }

    /// @inheritdoc IAGPU
    function emissionBudget(uint256 epoch) public view returns (uint256) {
        uint256 period = epoch / halvingEpochs;
        if (period >= 256) return 0;
        uint256 periodStart = initialEpochEmission >> period;
        // Linear decline inside the period from `periodStart` towards `periodStart / 2`: never below the next
        // period's start, so the budget never increases from one epoch to the next.
        return periodStart - ((periodStart / 2) * (epoch % halvingEpochs)) / halvingEpochs;
    }

    /// @inheritdoc IAGPU
    function emittedInEpoch(uint256 epoch) external view returns (uint256) {
        return _emittedInEpoch[epoch];
    }

    /// @inheritdoc IAGPU
    function remainingEmission() external view returns (uint256) {
        uint256 epoch = currentEpoch();
        return emissionBudget(epoch) - _emittedInEpoch[epoch];
    }

    /// @inheritdoc IAGPU
    function totalEmitted() external view returns (uint256) {
        return _totalEmitted;
    }

    /// @inheritdoc IAGPU
    function maxTotalSupply() external view returns (uint256) {
        return genesisSupply + 2 * halvingEpochs * initialEpochEmission;
    }

    // ---------------------------------------------------------------------------------------------
    // Required overrides
    // ---------------------------------------------------------------------------------------------

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
