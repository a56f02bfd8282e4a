// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAGPU
/// @notice StarMiner's utility token. Requesters pay for compute in AGPU, providers and validators stake
/// it. The supply has a hard cap; beyond the genesis allocation, new AGPU is minted only within a
/// per-epoch emissions budget that declines every epoch and halves every `halvingEpochs` epochs, so the
/// whole schedule provably fits under the cap.
interface IAGPU {
    /// @notice A genesis recipient was the zero address while a genesis supply was requested.
    error AGPUZeroAddress();

    /// @notice A mint of zero tokens was requested.
    error AGPUZeroAmount();

    /// @notice The schedule parameters given at deployment are unusable.
    /// @param reason Which parameter is wrong.
    error AGPUInvalidSchedule(string reason);

    /// @notice The genesis allocation plus the largest possible emission would exceed the cap.
    /// @param maxTotalSupply Genesis plus the schedule's upper bound.
    /// @param cap The hard cap.
    error AGPUScheduleExceedsCap(uint256 maxTotalSupply, uint256 cap);

    /// @notice A mint would exceed what is left of the current epoch's emissions budget.
    /// @param epoch The current emissions epoch.
    /// @param requested The amount asked for.
    /// @param remaining What the epoch still allows.
    error AGPUEmissionBudgetExceeded(uint256 epoch, uint256 requested, uint256 remaining);

    /// @notice New AGPU was minted from the emissions budget.
    /// @param epoch The emissions epoch the mint was counted against.
    /// @param to The recipient.
    /// @param amount The amount minted.
    /// @param epochRemaining What is left of the epoch's budget after this mint.
    event EmissionMinted(uint256 indexed epoch, address indexed to, uint256 amount, uint256 epochRemaining);

    /// @notice Mints `amount` to `to`, counted against the current epoch's emissions budget.
    /// @dev Restricted (the emissions minter role). Reverts with {AGPUEmissionBudgetExceeded} beyond the budget.
    function mintEmission(address to, uint256 amount) external;

    /// @notice The emissions epoch in progress (0 during the first `epochDuration` seconds).
    function currentEpoch() external view returns (uint256);

    /// @notice The emissions budget of `epoch`: `initialEpochEmission` halved every `halvingEpochs` epochs and,
    /// within each halving period, declining linearly towards the next period's budget.
    function emissionBudget(uint256 epoch) external view returns (uint256);

    /// @notice How much has been minted against `epoch`'s budget.
    function emittedInEpoch(uint256 epoch) external view returns (uint256);

    /// @notice What can still be minted in the current epoch.
    function remainingEmission() external view returns (uint256);

    /// @notice Everything minted through emissions so far (genesis excluded).
    function totalEmitted() external view returns (uint256);

    /// @notice Genesis plus the largest amount the whole schedule can ever emit; never above the cap.
    function maxTotalSupply() external view returns (uint256);

    /// @notice The supply minted at deployment.
    function genesisSupply() external view returns (uint256);

    /// @notice When epoch 0 began.
    function emissionStart() external view returns (uint256);

    /// @notice The length of one emissions epoch, in seconds.
    function epochDuration() external view returns (uint256);

    /// @notice The budget of epoch 0.
    function initialEpochEmission() external view returns (uint256);

    /// @notice The number of epochs after which the per-epoch budget halves.
    function halvingEpochs() external view returns (uint256);
}
