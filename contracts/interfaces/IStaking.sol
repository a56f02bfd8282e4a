// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IStaking
/// @notice AGPU at stake behind every provider, validator and oracle. A node's stake backs the roles it holds
/// (each role has a governed minimum), the collateral the job market locks while the node works a job, and the
/// slashes it suffers for proven faults. Leaving takes an unbonding period.
///
/// A slash only ever takes collateral that a job locked: a fault costs a share of what the node put at risk for
/// that job (escalating for repeat offenders), never its unrelated stake, and it consumes that collateral whole,
/// so that `lockedOf(node)` stays exactly the sum of the collateral of the node's live claims.
///
/// Accounting, which the invariant tests hold at all times:
/// `AGPU.balanceOf(staking) == Σ stakeOf + Σ unbondingOf + Σ unpaid bounties + unpaid treasury share`,
/// and for every node `lockedOf <= stakeOf`.
interface IStaking {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Stake on its way out: withdrawable from `releaseAt`.
    struct Unbonding {
        uint128 amount;
        uint64 releaseAt;
    }

    /// @notice The slashing schedule.
    /// @param tierBps The share of the job's collateral taken for a node's first, second and third (and later)
    /// offence within `window` seconds; the rest of that collateral is released.
    /// @param window How long an offence counts towards the escalation.
    /// @param bountyBps The share of a slash owed to whoever proved the fault...
    /// @param maxBounty ...capped at this amount: a reward sized to the gas of proving a fault, so that a faulty
    /// node's own second account recovers next to nothing by proving its fault itself.
    struct SlashPolicy {
        uint16[3] tierBps;
        uint32 window;
        uint16 bountyBps;
        uint96 maxBounty;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice An address argument was the zero address.
    error StakingZeroAddress();
    /// @notice An amount of zero was given.
    error StakingZeroAmount();
    /// @notice The role is not exactly one known role bit.
    error StakingInvalidRole(uint8 role);
    /// @notice More was asked than the node's stake that no job holds as collateral.
    error StakingInsufficientAvailableStake(address node, uint256 requested, uint256 available);
    /// @notice The node already has the most pending unbondings allowed; withdraw matured ones first.
    error StakingTooManyUnbondings(address node, uint256 pending);
    /// @notice Nothing has finished unbonding yet.
    /// @param nextReleaseAt When the earliest pending unbonding matures (0 when none is pending).
    error StakingNothingToWithdraw(address node, uint256 nextReleaseAt);
    /// @notice The caller has no bounty to claim.
    error StakingNothingToClaim(address account);
    /// @notice A governed parameter was set outside its hard bounds.
    error StakingParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The slashing tiers must not decrease from one offence to the next.
    error StakingSlashTiersNotAscending();
    /// @notice A slash or an unlock named more collateral than the node has locked.
    error StakingCollateralNotLocked(address node, uint256 amount, uint256 locked);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice `node` added `amount` to its stake; `total` is its stake afterwards.
    event Staked(address indexed node, uint256 amount, uint256 total);
    /// @notice `amount` left `node`'s stake for the unbonding queue, withdrawable from `releaseAt`.
    event UnbondingRequested(address indexed node, uint256 amount, uint256 releaseAt, uint256 remainingStake);
    /// @notice `node` withdrew matured unbondings worth `amount`.
    event Withdrawn(address indexed node, uint256 amount);
    /// @notice The job market locked `amount` of `node`'s stake as collateral; `totalLocked` afterwards.
    event CollateralLocked(address indexed node, uint256 amount, uint256 totalLocked);
    /// @notice The job market released `amount` of `node`'s collateral; `totalLocked` afterwards.
    event CollateralUnlocked(address indexed node, uint256 amount, uint256 totalLocked);
    /// @notice `node` was slashed `amount` for `reason`, its `offence`-th offence within the window.
    /// @param collateral The job's collateral the slash consumed: `amount` of it was taken, the rest released.
    /// @param bounty The share owed to `prover`; the rest is owed to the treasury.
    event Slashed(
        address indexed node,
        bytes32 indexed reason,
        address indexed prover,
        uint256 amount,
        uint256 collateral,
        uint256 bounty,
        uint256 offence
    );
    /// @notice `amount` of `node`'s locked collateral was forfeited for `reason` (a juror's incoherent or missing
    /// vote) and paid to `recipient` (the zero address: owed to the treasury). Not an offence: no escalation.
    event CollateralForfeited(address indexed node, bytes32 indexed reason, address indexed recipient, uint256 amount);
    /// @notice `account` claimed `amount` of slashing bounties.
    event BountyClaimed(address indexed account, uint256 amount);
    /// @notice `amount` of slashed stake was paid to the treasury.
    event SweptToTreasury(address indexed treasury, uint256 amount);
    /// @notice Governance set the minimum stake of `role`.
    event MinimumStakeSet(uint8 indexed role, uint256 amount);
    /// @notice Governance set the unbonding period.
    event UnbondingPeriodSet(uint256 period);
    /// @notice Governance set the slashing schedule.
    event SlashPolicySet(uint16[3] tierBps, uint32 window, uint16 bountyBps, uint96 maxBounty);

    // ---------------------------------------------------------------------------------------------
    // Nodes
    // ---------------------------------------------------------------------------------------------

    /// @notice Adds `amount` of the caller's AGPU (by allowance) to the caller's stake.
    function stake(uint256 amount) external;

    /// @notice Like {stake}, with an EIP-2612 permit instead of a prior approval.
    /// @dev A permit that was already used (for instance front-run) is ignored when the allowance suffices.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Moves `amount` of the caller's unlocked stake into the unbonding queue.
    function requestUnbond(uint256 amount) external;

    /// @notice Pays out every matured unbonding of the caller.
    /// @return amount What was paid.
    function withdraw() external returns (uint256 amount);

    /// @notice Pays the caller the slashing bounties owed to it.
    function claimBounty() external returns (uint256 amount);

    /// @notice Pays the treasury everything slashed that is owed to it.
    function sweepToTreasury() external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------------
    // Protocol (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Locks `amount` of `node`'s available stake as collateral for a job.
    function lockCollateral(address node, uint256 amount) external;

    /// @notice Releases `amount` of `node`'s collateral.
    function unlockCollateral(address node, uint256 amount) external;

    /// @notice Consumes `collateral` of `node`'s locked collateral for a proven fault (`reason`): takes the share
    /// of its escalation tier and releases the rest; `prover` earns the bounty share, capped.
    /// @param fraud A wrong answer shown wrong (a result a committee rejected, a false audit claim): the top tier
    /// at once, whatever the node's record. Faults that can be accidents (a missed window) escalate.
    /// @return amount What was slashed.
    function slashCollateral(
        address node,
        uint256 collateral,
        bytes32 reason,
        address prover,
        bool fraud
    ) external returns (uint256 amount);

    /// @notice Takes exactly `amount` of `node`'s locked collateral for `reason` and pays it to `recipient` (the
    /// zero address: owes it to the treasury). For penalties fixed in advance, such as a juror's collateral.
    function forfeitCollateral(address node, uint256 amount, bytes32 reason, address recipient) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Sets the stake a node needs to be eligible for `role` (one role bit).
    function setMinimumStake(uint8 role, uint256 amount) external;

    /// @notice Sets how long unbonding takes.
    function setUnbondingPeriod(uint256 period) external;

    /// @notice Sets the slashing schedule.
    function setSlashPolicy(SlashPolicy calldata policy) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The token staked.
    function token() external view returns (address);
    /// @notice Where slashed stake goes.
    function treasury() external view returns (address);
    /// @notice `node`'s stake, locked collateral included, unbonding excluded.
    function stakeOf(address node) external view returns (uint256);
    /// @notice `node`'s collateral locked by the job market.
    function lockedOf(address node) external view returns (uint256);
    /// @notice `node`'s stake free to be locked or unbonded.
    function availableOf(address node) external view returns (uint256);
    /// @notice The sum of `node`'s pending unbondings.
    function unbondingOf(address node) external view returns (uint256);
    /// @notice `node`'s pending unbondings, oldest first.
    function unbondingsOf(address node) external view returns (Unbonding[] memory);
    /// @notice Whether `node`'s stake meets the minimum of `role` (one role bit).
    function meetsMinimum(address node, uint8 role) external view returns (bool);
    /// @notice The minimum stake of `role` (one role bit).
    function minimumStake(uint8 role) external view returns (uint256);
    /// @notice How long unbonding takes, in seconds.
    function unbondingPeriod() external view returns (uint256);
    /// @notice The slashing schedule.
    function slashPolicy() external view returns (SlashPolicy memory);
    /// @notice How many offences of `node` fall within the slashing window now.
    function recentOffences(address node) external view returns (uint256);
    /// @notice Bounties owed to `account`.
    function unpaidBountyOf(address account) external view returns (uint256);
    /// @notice Slashed stake owed to the treasury.
    function unpaidTreasury() external view returns (uint256);
    /// @notice Total stake across nodes, locked included, unbonding excluded.
    function totalStaked() external view returns (uint256);
    /// @notice Total pending unbondings across nodes.
    function totalUnbonding() external view returns (uint256);
    /// @notice Total bounties owed across accounts.
    function totalUnpaidBounties() external view returns (uint256);
}
