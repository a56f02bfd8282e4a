// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPricingEngine
/// @notice The price of a GPU-hour in each zone and tier, in AGPU.
///
/// Each zone has a base price that moves once per epoch toward a target utilisation, EIP-1559 style: utilisation
/// (GPU-hours demanded in the epoch over the zone's capacity) above target raises the price, below target lowers
/// it, by at most `maxStepBps` per epoch, always within the governed price bounds and never below the zone's
/// energy floor (the energy price feed times the energy a GPU-hour takes). A tier's price is the zone's price
/// times the tier's multiplier. Epochs need no keeper: the first interaction with a zone in a new epoch applies
/// the epochs it missed, in bounded work.
///
/// Matrix Spillover: zones are linked by a governed, symmetric adjacency with latency penalties. A
/// spillover-allowed job in a zone above its congestion threshold is quoted in the cheapest neighbour below its
/// own threshold (its price including the penalty), when that is cheaper than staying.
interface IPricingEngine {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Service tiers, passed as `uint8` so that an unknown tier gets {PricingUnknownTier}: Economy (0),
    /// Standard (1), Priority (2). Each has a price multiplier and a reputation floor.
    enum Tier {
        Economy,
        Standard,
        Priority
    }

    /// @notice A zone's pricing state as of `epoch`.
    struct ZoneState {
        /// The base price per GPU-hour (Standard tier before the multiplier), 0 until the zone is first touched.
        uint256 basePrice;
        /// The epoch `basePrice` applies to and `demand` was reported in.
        uint64 epoch;
        /// GPU-hours demanded in `epoch` so far.
        uint128 demand;
        /// Utilisation of the last completed epoch, in basis points.
        uint32 lastUtilisationBps;
    }

    /// @notice What a job would cost and where it would run. Returned by views only, never stored.
    // solhint-disable-next-line gas-struct-packing
    struct Quote {
        /// The zone asked for.
        bytes32 requestedZone;
        /// The zone the job is priced in (and may be served in): a neighbour when it spilled over.
        bytes32 zone;
        uint8 tier;
        /// The price of one GPU-hour in that zone and tier, latency penalty included.
        uint256 pricePerGpuHour;
        /// `pricePerGpuHour * gpuHours * redundancy`.
        uint256 total;
        bool spilledOver;
    }

    /// @notice The governed market parameters (ordered to fill two storage slots).
    struct MarketParameters {
        /// Seconds per pricing epoch.
        uint32 epochDuration;
        /// Target utilisation, in basis points.
        uint16 targetUtilisationBps;
        /// The largest relative price move per epoch, in basis points.
        uint16 maxStepBps;
        /// Energy one GPU-hour takes, in thousandths of a kWh (the energy floor's factor).
        uint32 milliKwhPerGpuHour;
        /// Governed price bounds per GPU-hour (within the hard bounds).
        uint128 minPrice;
        uint128 maxPrice;
        /// A zone's base price when it is first touched.
        uint128 initialPrice;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice An address given at initialization was zero.
    error PricingZeroAddress();
    /// @notice The zone is unknown to the registry or disabled.
    error PricingUnknownZone(bytes32 zone);
    /// @notice The tier does not exist.
    error PricingUnknownTier(uint256 tier);
    /// @notice A quote for zero GPU-hours.
    error PricingZeroHours();
    /// @notice Redundancy outside 1 to 3.
    error PricingInvalidRedundancy(uint256 redundancy);
    /// @notice A governed parameter was set outside its hard bounds.
    error PricingParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);
    /// @notice Tier multipliers or reputation floors must not decrease from Economy to Priority.
    error PricingTiersNotAscending();
    /// @notice A zone cannot neighbour itself.
    error PricingSelfNeighbour(bytes32 zone);
    /// @notice A zone has the most neighbours allowed.
    error PricingTooManyNeighbours(bytes32 zone);
    /// @notice The two zones are not neighbours.
    error PricingNotNeighbours(bytes32 zoneA, bytes32 zoneB);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A zone's base price was set for `epoch`, after `utilisationBps` in the epoch before.
    event PriceUpdated(bytes32 indexed zone, uint64 indexed epoch, uint256 basePrice, uint256 utilisationBps);
    /// @notice Demand was reported in a zone.
    event DemandRecorded(bytes32 indexed zone, uint64 indexed epoch, uint256 gpuHours, uint256 epochDemand);
    /// @notice Governance set the market parameters.
    event MarketParametersSet(MarketParameters parameters);
    /// @notice Governance set the tiers' multipliers and reputation floors.
    event TiersSet(uint16[3] multiplierBps, uint16[3] reputationFloorBps);
    /// @notice Governance linked two zones with a latency penalty (or changed the penalty).
    event NeighboursSet(bytes32 indexed zoneA, bytes32 indexed zoneB, uint16 penaltyBps);
    /// @notice Governance unlinked two zones.
    event NeighboursRemoved(bytes32 indexed zoneA, bytes32 indexed zoneB);
    /// @notice Governance set a zone's congestion threshold.
    event CongestionThresholdSet(bytes32 indexed zone, uint16 thresholdBps);

    // ---------------------------------------------------------------------------------------------
    // Market (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Records `gpuHours` of demand in `zone` for the current epoch.
    /// @dev Restricted (DEMAND_REPORTER).
    function recordDemand(bytes32 zone, uint256 gpuHours) external;

    /// @notice Applies the epochs `zone` missed, so that stored state and events catch up. Anyone may call.
    function poke(bytes32 zone) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Sets the market parameters.
    function setMarketParameters(MarketParameters calldata parameters) external;

    /// @notice Sets the tiers' price multipliers and reputation floors (Economy, Standard, Priority).
    function setTiers(uint16[3] calldata multiplierBps, uint16[3] calldata reputationFloorBps) external;

    /// @notice Links two zones (both ways) with a latency penalty in basis points of price.
    function setNeighbours(bytes32 zoneA, bytes32 zoneB, uint16 penaltyBps) external;

    /// @notice Unlinks two zones.
    function removeNeighbours(bytes32 zoneA, bytes32 zoneB) external;

    /// @notice Sets the utilisation above which a zone spills over (0 restores the default).
    function setCongestionThreshold(bytes32 zone, uint16 thresholdBps) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice What a job of `gpuHours` at `redundancy` costs in `zone` and `tier`, spilling over if allowed.
    function quote(
        bytes32 zone,
        uint8 tier,
        uint256 gpuHours,
        uint256 redundancy,
        bool spilloverAllowed
    ) external view returns (Quote memory);

    /// @notice The price of a GPU-hour in `zone` and `tier` now.
    function priceOf(bytes32 zone, uint8 tier) external view returns (uint256);

    /// @notice `zone`'s base price now (epochs applied, energy floor included).
    function basePriceOf(bytes32 zone) external view returns (uint256);

    /// @notice `zone`'s utilisation now, in basis points: the larger of the last epoch's and the current one's so far.
    function utilisationOf(bytes32 zone) external view returns (uint256);

    /// @notice `zone`'s capacity per epoch in GPU-hours (its active providers times the epoch's hours).
    function capacityOf(bytes32 zone) external view returns (uint256);

    /// @notice `zone`'s energy floor per GPU-hour now (0 without a fresh energy answer).
    function energyFloorOf(bytes32 zone) external view returns (uint256);

    /// @notice The oracle feed id of `zone`'s energy price.
    function energyFeedId(bytes32 zone) external pure returns (bytes32);

    /// @notice `zone`'s stored state (before the epochs it missed).
    function zoneState(bytes32 zone) external view returns (ZoneState memory);

    /// @notice The pricing epoch in progress.
    function currentEpoch() external view returns (uint64);

    /// @notice The market parameters.
    function marketParameters() external view returns (MarketParameters memory);

    /// @notice A tier's multiplier and reputation floor, in basis points.
    function tierOf(uint8 tier) external view returns (uint16 multiplierBps, uint16 reputationFloorBps);

    /// @notice `zone`'s neighbours and their latency penalties.
    function neighboursOf(bytes32 zone) external view returns (bytes32[] memory zones, uint16[] memory penaltiesBps);

    /// @notice The utilisation above which `zone` spills over, in basis points.
    function congestionThresholdOf(bytes32 zone) external view returns (uint16);
}
