// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IVerificationHub} from "../interfaces/IVerificationHub.sol";
import {NodeRoles} from "../registry/NodeRoles.sol";
import {HubStorage} from "./HubStorage.sol";
import {Sortition} from "./Sortition.sol";

/// @title DisputeCourt
/// @notice The verification hub's court: committees drawn by stake-weighted sortition, commit-reveal votes,
/// appeals to committees twice as large plus one, and the settlement of jurors, bonds and the verdict.
/// @dev A linked library, so that the hub fits under EIP-170 (the pattern of Aave's logic libraries): its external
/// functions run in the hub's context through DELEGATECALL, on the hub's storage and token balance, and emit the
/// hub's events. The hub reaches them only through its own functions, after its pause and reentrancy guards.
library DisputeCourt {
    using SafeERC20 for IERC20;

    /// @notice The largest committee: appeals stop before the next size would exceed it (3, 7, 15 by default).
    uint256 internal constant MAX_COMMITTEE_SIZE = 21;
    /// @notice The slash reason of a validator whose audit claim the committee rejected.
    bytes32 internal constant SLASH_FALSE_AUDIT = keccak256("hub.false-audit");
    /// @notice The forfeit reason of a juror who voted against the outcome or never revealed.
    bytes32 internal constant FORFEIT_INCOHERENT_JUROR = keccak256("hub.incoherent-juror");

    // ---------------------------------------------------------------------------------------------
    // Committees and votes
    // ---------------------------------------------------------------------------------------------

    /// @notice See {IVerificationHub-drawCommittee}.
    function drawCommittee(HubStorage.VerificationHubStorage storage $, uint256 jobId) external returns (bool drawn) {
        IVerificationHub.Dispute storage dispute = _openDispute($, jobId);
        if (dispute.commitEndsAt != 0) revert IVerificationHub.HubCommitteeAlreadyDrawn(jobId);
        uint256 drawBlock = dispute.drawBlock;
        if (block.number <= drawBlock) revert IVerificationHub.HubCommitteeDrawPending(jobId, drawBlock);
        bytes32 seed = blockhash(drawBlock);
        if (seed == bytes32(0)) {
            // Nobody drew while the hash was readable: draw from the next block's instead, which nobody knows yet.
            dispute.drawBlock = uint64(block.number + 1);
            emit IVerificationHub.CommitteeDrawScheduled(jobId, block.number + 1);
            return false;
        }
        address[] memory jurors = _drawJurors($, jobId, dispute, keccak256(abi.encode(seed, address(this), jobId)));
        IVerificationHub.HubParameters memory p = $.parameters;
        uint256 commitEndsAt = $.market.clock() + p.votingPeriod;
        uint256 revealEndsAt = commitEndsAt + p.revealPeriod;
        dispute.commitEndsAt = uint40(commitEndsAt);
        dispute.votingEndsAt = uint40(revealEndsAt);
        dispute.appealEndsAt = uint40(revealEndsAt + p.appealPeriod);
        // Safe cast: at most MAX_COMMITTEE_SIZE jurors.
        dispute.jurors = uint8(jurors.length);
        emit IVerificationHub.CommitteeDrawn(
            jobId,
            jurors,
            uint64(wall($, commitEndsAt)),
            uint64(wall($, revealEndsAt))
        );
        for (uint256 i = 0; i < jurors.length; ++i) $.staking.lockCollateral(jurors[i], p.jurorCollateral);
        return true;
    }

    /// @notice See {IVerificationHub-commitVote}.
    function commitVote(HubStorage.VerificationHubStorage storage $, uint256 jobId, bytes32 commitment) external {
        IVerificationHub.Dispute storage dispute = _openDispute($, jobId);
        IVerificationHub.Juror storage juror = _juror($, jobId, dispute);
        uint256 commitEndsAt = dispute.commitEndsAt;
        if ($.market.clock() > commitEndsAt) revert IVerificationHub.HubCommitClosed(jobId, wall($, commitEndsAt));
        if (juror.commitment != bytes32(0)) revert IVerificationHub.HubAlreadyCommitted(jobId, msg.sender);
        juror.commitment = commitment;
        ++dispute.commits;
        emit IVerificationHub.VoteCommitted(jobId, msg.sender);
    }

    /// @notice See {IVerificationHub-revealVote}.
    function revealVote(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        bool uphold,
        bytes32 salt
    ) external {
        IVerificationHub.Dispute storage dispute = _openDispute($, jobId);
        IVerificationHub.Juror storage juror = _juror($, jobId, dispute);
        uint256 now_ = $.market.clock();
        uint256 commitEndsAt = dispute.commitEndsAt;
        // Reveals open when the commit phase ends, or as soon as every juror has committed.
        if (now_ <= commitEndsAt && dispute.commits < dispute.jurors) {
            revert IVerificationHub.HubRevealNotOpen(jobId, wall($, commitEndsAt));
        }
        uint256 revealEndsAt = dispute.votingEndsAt;
        if (now_ > revealEndsAt) revert IVerificationHub.HubRevealClosed(jobId, wall($, revealEndsAt));
        if (juror.revealed || juror.commitment != voteCommitment(jobId, msg.sender, uphold, salt)) {
            revert IVerificationHub.HubVoteMismatch(jobId, msg.sender);
        }
        juror.revealed = true;
        juror.uphold = uphold;
        if (uphold) ++dispute.upholdVotes;
        else ++dispute.rejectVotes;
        emit IVerificationHub.DisputeVoteCast(jobId, msg.sender, uphold);
        // Every vote is in: the appeal period starts now rather than after the reveal phase.
        if (uint256(dispute.upholdVotes) + dispute.rejectVotes == dispute.jurors) {
            dispute.appealEndsAt = uint40(now_ + $.parameters.appealPeriod);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Appeals and resolution
    // ---------------------------------------------------------------------------------------------

    /// @notice See {IVerificationHub-appeal}.
    function appeal(HubStorage.VerificationHubStorage storage $, uint256 jobId) external {
        IVerificationHub.Dispute storage dispute = _openDispute($, jobId);
        uint256 now_ = _requireVotesIn($, dispute, jobId);
        uint256 appealEndsAt = dispute.appealEndsAt;
        if (now_ > appealEndsAt) revert IVerificationHub.HubAppealClosed(jobId, wall($, appealEndsAt));
        uint256 size = _nextCommitteeSize(dispute);
        if (size > MAX_COMMITTEE_SIZE) revert IVerificationHub.HubNoMoreAppeals(jobId);

        uint8 round = dispute.round;
        IVerificationHub.Verdict ruling = _ruling(dispute);
        uint96 bond = $.parameters.jurorCollateral;
        // Safe cast: the juror collateral is bounded by MAX_JUROR_COLLATERAL (1e24 < 2^88).
        $.appeals[jobId][round] = IVerificationHub.Appeal({
            appellant: msg.sender,
            appealed: ruling,
            bond: uint88(bond)
        });
        $.totalBonds += bond;
        // A new round: a larger committee, drawn from a block nobody knows yet, votes afresh.
        uint256 drawBlock = block.number + 1;
        dispute.round = round + 1;
        // Safe cast: at most MAX_COMMITTEE_SIZE.
        dispute.committeeSize = uint8(size);
        dispute.drawBlock = uint64(drawBlock);
        dispute.commitEndsAt = 0;
        dispute.votingEndsAt = 0;
        dispute.appealEndsAt = 0;
        dispute.upholdVotes = 0;
        dispute.rejectVotes = 0;
        dispute.jurors = 0;
        dispute.commits = 0;
        emit IVerificationHub.DisputeAppealed(jobId, msg.sender, round + 1, ruling, uint8(size), bond, drawBlock);
        $.token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @notice See {IVerificationHub-resolveDispute}.
    function resolve(HubStorage.VerificationHubStorage storage $, uint256 jobId) external {
        IVerificationHub.Dispute storage dispute = _openDispute($, jobId);
        uint256 now_ = _requireVotesIn($, dispute, jobId);
        uint256 appealEndsAt = dispute.appealEndsAt;
        if (now_ <= appealEndsAt && _nextCommitteeSize(dispute) <= MAX_COMMITTEE_SIZE) {
            revert IVerificationHub.HubAppealOpen(jobId, wall($, appealEndsAt));
        }

        IVerificationHub.Verdict verdict = _ruling(dispute);
        dispute.verdict = verdict;
        uint256 bond = dispute.bond;
        address challenger = dispute.challenger;
        $.totalBonds -= bond;
        emit IVerificationHub.DisputeResolved(jobId, verdict, dispute.upholdVotes, dispute.rejectVotes);

        // The losing side pays the court: the providers shown wrong (the market collects it), the requester out of
        // what it posted, or the auditor out of its collateral.
        uint256 courtFee = dispute.courtFee;
        uint256 fees;
        IJobMarket.DisputeOutcome outcome = IJobMarket.DisputeOutcome.Dismissed;
        if (verdict == IVerificationHub.Verdict.Rejected && dispute.audit) {
            // A false audit claim is fraud: the whole collateral it locked. It shows only that the auditor was
            // wrong, so the job goes back to its challenge window, open to other auditors.
            outcome = IJobMarket.DisputeOutcome.Reopened;
            fees = _takeFromAuditor($, jobId, challenger, courtFee);
        } else if (verdict == IVerificationHub.Verdict.Rejected) {
            fees = courtFee;
            if (bond > fees) _forfeitBond($, jobId, bond - fees);
        } else {
            if (verdict == IVerificationHub.Verdict.Upheld) outcome = IJobMarket.DisputeOutcome.Upheld;
            if (dispute.audit) {
                $.staking.unlockCollateral(challenger, $.market.collateralOf(jobId));
            } else if (bond != 0) {
                emit IVerificationHub.BondReturned(jobId, challenger, bond);
                $.token.safeTransfer(challenger, bond);
            }
        }
        bool upheld = outcome == IJobMarket.DisputeOutcome.Upheld;
        fees += $.market.closeDispute(jobId, outcome, challenger, dispute.result, upheld ? courtFee : 0);
        _settleCourt($, jobId, dispute.round, verdict, fees);
        if (outcome == IJobMarket.DisputeOutcome.Reopened) _clearCourt($, jobId);
    }

    // ---------------------------------------------------------------------------------------------
    // Shared with the hub (internal: compiled into it)
    // ---------------------------------------------------------------------------------------------

    function voteCommitment(uint256 jobId, address juror, bool uphold, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(jobId, juror, uphold, salt));
    }

    /// @dev Whether `account` requested the job or holds one of its slots.
    function isParty(address requester, IJobMarket.Slot[] memory slots, address account) internal pure returns (bool) {
        if (account == requester) return true;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (slots[i].provider == account) return true;
        }
        return false;
    }

    /// @dev A time on the market's clock as wall-clock time, as of now (zero stays zero).
    function wall(HubStorage.VerificationHubStorage storage $, uint256 clockTime) internal view returns (uint256) {
        return clockTime == 0 ? 0 : clockTime + block.timestamp - $.market.clock();
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The open dispute of `jobId`, or a revert (not to be confused with the hub's `openDispute`, which opens
    /// one).
    function _openDispute(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId
    ) private view returns (IVerificationHub.Dispute storage d) {
        d = $.disputes[jobId];
        if (d.verdict != IVerificationHub.Verdict.Pending || d.challenger == address(0)) {
            revert IVerificationHub.HubNoOpenDispute(jobId);
        }
    }

    /// @dev The caller's juror record in the current round's committee.
    function _juror(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        IVerificationHub.Dispute storage dispute
    ) private view returns (IVerificationHub.Juror storage juror) {
        if (dispute.commitEndsAt == 0) revert IVerificationHub.HubCommitteeNotDrawn(jobId);
        juror = $.votes[jobId][msg.sender];
        if (!juror.drawn || juror.round != dispute.round) revert IVerificationHub.HubNotJuror(jobId, msg.sender);
    }

    /// @dev Reverts unless the current round's committee is drawn and its votes are in (every juror revealed, or the
    /// reveal phase is over); returns the market's clock.
    function _requireVotesIn(
        HubStorage.VerificationHubStorage storage $,
        IVerificationHub.Dispute storage dispute,
        uint256 jobId
    ) private view returns (uint256 now_) {
        if (dispute.commitEndsAt == 0) revert IVerificationHub.HubCommitteeNotDrawn(jobId);
        now_ = $.market.clock();
        uint256 votingEndsAt = dispute.votingEndsAt;
        if (uint256(dispute.upholdVotes) + dispute.rejectVotes < dispute.jurors && now_ <= votingEndsAt) {
            revert IVerificationHub.HubVotingOpen(jobId, wall($, votingEndsAt));
        }
    }

    /// @dev The round's ruling: a majority of the committee's whole size, not just of the votes cast.
    function _ruling(IVerificationHub.Dispute storage dispute) private view returns (IVerificationHub.Verdict) {
        uint256 majority = dispute.committeeSize / 2 + 1;
        if (dispute.upholdVotes >= majority) return IVerificationHub.Verdict.Upheld;
        if (dispute.rejectVotes >= majority) return IVerificationHub.Verdict.Rejected;
        return IVerificationHub.Verdict.NoDecision;
    }

    function _nextCommitteeSize(IVerificationHub.Dispute storage dispute) private view returns (uint256) {
        return uint256(dispute.committeeSize) * 2 + 1;
    }

    /// @dev Draws the round's committee from the pool, weighted by each member's available stake, among eligible
    /// validators that can lock the juror collateral, have no part in the job and sat on none of its earlier
    /// committees.
    function _drawJurors(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        IVerificationHub.Dispute storage dispute,
        bytes32 seed
    ) private returns (address[] memory jurors) {
        IJobMarket.Job memory job = $.market.jobOf(jobId);
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        address[] memory pool = $.pool;
        uint256[] memory weights = new uint256[](pool.length);
        uint256 collateral = $.parameters.jurorCollateral;
        for (uint256 i = 0; i < pool.length; ++i) {
            address member = pool[i];
            if (member == dispute.challenger || isParty(job.requester, slots, member)) continue;
            if ($.votes[jobId][member].drawn) continue;
            if (!$.registry.isEligible(member, NodeRoles.VALIDATOR)) continue;
            uint256 available = $.staking.availableOf(member);
            if (available >= collateral) weights[i] = available;
        }
        uint256[] memory drawn = Sortition.draw(weights, seed, dispute.committeeSize);
        jurors = new address[](drawn.length);
        uint8 round = dispute.round;
        address[] storage seated = $.jurors[jobId];
        for (uint256 i = 0; i < drawn.length; ++i) {
            address juror = pool[drawn[i]];
            jurors[i] = juror;
            IVerificationHub.Juror storage record = $.votes[jobId][juror];
            record.drawn = true;
            record.round = round;
            seated.push(juror);
        }
    }

    /// @dev Settles every round against the final verdict. Jurors who voted with it (any revealed vote when there
    /// was none) get their collateral back and share the court `fees` the loser paid, the collateral of those who
    /// voted against it or never revealed, and the bonds of appeals the verdict did not bear out; an appeal the verdict bore out
    /// (the final verdict differs from the ruling appealed) gets its bond back. With nobody to share them, forfeited
    /// collateral goes to the treasury and appeal bonds go back.
    function _settleCourt(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        uint256 rounds,
        IVerificationHub.Verdict verdict,
        uint256 fees
    ) private {
        address[] memory jurors = $.jurors[jobId];
        bool[] memory coherent = new bool[](jurors.length);
        uint256 coherentCount;
        for (uint256 i = 0; i < jurors.length; ++i) {
            IVerificationHub.Juror storage juror = $.votes[jobId][jurors[i]];
            coherent[i] =
                juror.revealed &&
                (verdict == IVerificationHub.Verdict.NoDecision ||
                    juror.uphold == (verdict == IVerificationHub.Verdict.Upheld));
            if (coherent[i]) ++coherentCount;
        }
        uint256 pot = fees + _releaseOrForfeit($, jobId, jurors, coherent, coherentCount != 0);
        pot += _settleAppeals($, jobId, rounds, verdict, coherentCount != 0);
        if (coherentCount != 0) _rewardJurors($, jobId, jurors, coherent, pot, coherentCount);
    }

    /// @dev Releases the coherent jurors' collateral and takes the others' (to the hub for sharing, or to the
    /// treasury when nobody is there to share it). Returns what came to the hub.
    function _releaseOrForfeit(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        address[] memory jurors,
        bool[] memory coherent,
        bool shared
    ) private returns (uint256 forfeited) {
        uint256 collateral = $.parameters.jurorCollateral;
        address recipient = shared ? address(this) : address(0);
        for (uint256 i = 0; i < jurors.length; ++i) {
            if (coherent[i]) {
                $.staking.unlockCollateral(jurors[i], collateral);
            } else {
                emit IVerificationHub.JurorPenalized(jobId, jurors[i], collateral);
                $.staking.forfeitCollateral(jurors[i], collateral, FORFEIT_INCOHERENT_JUROR, recipient);
                if (shared) forfeited += collateral;
            }
        }
    }

    /// @dev Returns the bonds of appeals the verdict bore out (and every bond when nobody can share them); returns
    /// the sum of the others, now the coherent jurors'.
    function _settleAppeals(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        uint256 rounds,
        IVerificationHub.Verdict verdict,
        bool shared
    ) private returns (uint256 forfeited) {
        for (uint256 round = 0; round < rounds; ++round) {
            IVerificationHub.Appeal memory appealed = $.appeals[jobId][round];
            $.totalBonds -= appealed.bond;
            bool returned = !shared || verdict != appealed.appealed;
            // Safe cast: fewer rounds than MAX_COMMITTEE_SIZE.
            emit IVerificationHub.AppealSettled(jobId, uint8(round), appealed.appellant, appealed.bond, returned);
            if (returned) $.token.safeTransfer(appealed.appellant, appealed.bond);
            else forfeited += appealed.bond;
        }
    }

    /// @dev Shares `pot` between the coherent jurors; the first takes the rounding remainder.
    function _rewardJurors(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        address[] memory jurors,
        bool[] memory coherent,
        uint256 pot,
        uint256 coherentCount
    ) private {
        uint256 share = pot / coherentCount;
        uint256 remainder = pot - share * coherentCount;
        for (uint256 i = 0; i < jurors.length; ++i) {
            if (!coherent[i]) continue;
            uint256 reward = share + remainder;
            remainder = 0;
            emit IVerificationHub.JurorRewarded(jobId, jurors[i], reward);
            if (reward != 0) $.token.safeTransfer(jurors[i], reward);
        }
    }

    /// @dev A rejected audit claim: `courtFee` of the auditor's collateral (at most all of it) comes to the hub for
    /// the jurors, the rest is slashed as fraud. Returns the fee taken.
    function _takeFromAuditor(
        HubStorage.VerificationHubStorage storage $,
        uint256 jobId,
        address auditor,
        uint256 courtFee
    ) private returns (uint256 fee) {
        uint256 collateral = $.market.collateralOf(jobId);
        fee = courtFee < collateral ? courtFee : collateral;
        if (fee != 0) $.staking.forfeitCollateral(auditor, fee, SLASH_FALSE_AUDIT, address(this));
        if (collateral > fee) $.staking.slashCollateral(auditor, collateral - fee, SLASH_FALSE_AUDIT, address(0), true);
    }

    /// @dev Forgets a settled committee, so that a reopened job's next dispute starts from an empty court.
    function _clearCourt(HubStorage.VerificationHubStorage storage $, uint256 jobId) private {
        address[] storage jurors = $.jurors[jobId];
        for (uint256 i = 0; i < jurors.length; ++i) delete $.votes[jobId][jurors[i]];
        delete $.jurors[jobId];
    }

    /// @dev A rejected requester's bond goes to the providers it accused; the first takes the rounding remainder.
    function _forfeitBond(HubStorage.VerificationHubStorage storage $, uint256 jobId, uint256 bond) private {
        uint8 accepted = $.market.jobOf(jobId).acceptedSlots;
        IJobMarket.Slot[] memory slots = $.market.slotsOf(jobId);
        uint256 count;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (accepted & (1 << i) != 0) ++count;
        }
        uint256 each = bond / count;
        uint256 remainder = bond - each * count;
        for (uint256 i = 0; i < slots.length; ++i) {
            if (accepted & (1 << i) == 0) continue;
            emit IVerificationHub.BondForfeited(jobId, slots[i].provider, each + remainder);
            $.token.safeTransfer(slots[i].provider, each + remainder);
            remainder = 0;
        }
    }
}
