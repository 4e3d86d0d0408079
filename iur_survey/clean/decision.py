"""Flag, then decide: which flagged responses the careless-responding indices exclude.

A screening rule (status, unfinished, duplicates, out of range, attention check) is a
fact about a record and excludes it.  A careless-responding index only *flags*: each
index alone also flags some honest respondents, and which ones depends on how they
answer (an extreme responder has a large Mahalanobis D², a fast careful reader a short
duration, an acquiescent one agrees with reversed items).  A flagged response is
excluded only on **convergent evidence** (Curran 2016, *J Exp Soc Psychol* 66:4-19,
recommends several indices of different kinds; Meade & Craig 2012, *Psychol Methods*
17:437-455, found they catch different kinds of careless responding):

* **far beyond a cut-off**: a hit whose detail says so (``[far beyond the cut-off]``):
  a duration under 1 s per question or under 15 % of the median, a run of the same answer
  over three quarters of the items or one answer to all items but one, the disagree end to all items but one in
  seven held on reverse-keyed items too (``longstring``'s ``keyed_far``), one answer to all items but one to one
  in seven where such lines outnumber the sample's responses a little further off that answer more than twice
  (``longstring``'s ``near_spike``: a spike, not a response style's continuum), a repeating pattern over 4/7 of them
  that the person's own answers in a random order rarely give, an IRV under
  0.35 (for a line of the scale's middle answer, these two only with at most two other answers:
  :func:`~iur_survey.clean.rules.longstring`'s ``midpoint_off``; the run, the one answer to all items but one
  and the low IRV only where at most .001 of honest answers drawn from the sample's answer model give such a
  line at that answer: ``longstring``'s and ``irv``'s ``chance_lines``, so that a line at a floor nearly
  everyone answers, on a form without reverse-keyed items, is a flag; and where durations are recorded only when
  given in under half the median time or against the keying: ``longstring``'s and ``irv``'s ``line_pace``, so
  that a line of the middle answer at a reading pace is a flag), a random-answer likelihood ratio
  beyond its .999 honest quantile (and beyond the guard for stretched answer styles, or within it beside
  ``psychant``: below); or
* **several independent pieces of evidence**: at least ``min_evidence`` (default 2) of
  the evidence groups below flag it.  The indices inside a group measure the same thing,
  so a group counts once; the inconsistency indices (synonyms, antonyms, resampled
  even-odd, person-total), each noisy on a short form, count as one piece when at least
  ``min_inconsistency`` (default 3) of them flag.  Four groups count only **beside**
  certain others (``beside``, :data:`BESIDE`; a partner is a group, or one index rule of another group):
  where they flag alone with any other group,
  honest respondents outnumbered careless ones among the exclusions (figures below).

=================  ===========================================================
group              indices
=================  ===========================================================
speed              speeder (a fast careful reader's answers show no other sign); tool_speed (SoSci
                   Survey's own TIME_RSI and DEG_TIME: the same evidence, so it counts once); where
                   every speed flag is ``[moderately fast]`` (the slower half of speeder's band, a
                   TIME_RSI up to 4.7) it lets the groups that count beside speed count, but is no
                   piece of evidence itself (below)
invariance         longstring, longpattern, irv, invariant_tail (one answer, or a zig-zag or ramp
                   across the scale, to the end after a careful start, by likelihood ratio),
                   page_line (one answer throughout each page, another on other pages)
size               mahalanobis (D², finite-sample p < .01); a D² that a response style explains
                   (``[a response style explains it]``: its style-profiled random-answer likelihood
                   ratio is at most the .9 quantile of honest answers, ``style_quantile``;
                   ``shape_quantile``, below) counts beside speed only; any other D² counts beside
                   speed, invariance, profile, structure or inconsistency, not beside ``likelihood``
                   or ``direction`` (the same answers' distance again: below)
direction          mahalanobis_direction (D² of disagree/neutral/agree, p < .005); counts
                   beside ``speed`` only (beside ``size`` it is the same answers' distance
                   measured twice)
profile            mahalanobis_ipsatized (D² of each person's answers centred on their own
                   mean and scaled by their own SD: styles drop out, p < .005); not run
                   by default: add it to ``rules`` to count it
structure          mahalanobis_quotient (D² per unit of squared deviation, z'R^-1 z / z'z:
                   answers that do not follow the item correlations, whatever their size;
                   beyond its .975 quantile for honest answers); counts beside ``speed``
                   only: a fast response whose answers do not follow the item correlations
                   is excluded, a fast careful reader's answers do follow them
likelihood         random_likelihood (uniform random answers more likely than honest ones in
                   any response style, throughout or from some item on, p < .005 under the
                   sample's fitted answer model for either ratio; far beyond at p < .001, and a
                   random tail far beyond alone where its tail given the person's head is beyond
                   the draws' .999 quantile and its exact tail ratio beyond their .95:
                   ``random_likelihood``'s ``predictive_screen``);
                   correlation_likelihood (answers with the items' own shares but without their
                   correlations, p < .005; evidence only, never far beyond by default: below);
                   mixture_likelihood (not run by default: some answers random, each given the
                   person's others)
inconsistency      psychsyn, psychant, even_odd, person_total (3 of them); counts beside
                   ``speed`` or the random-answer ratios (``random_likelihood``,
                   ``mixture_likelihood``) only, not beside ``correlation_likelihood`` (whether the
                   answers follow the item correlations, read twice: below)
bot                tool_bot (the survey tool's bot and fraud scores: Qualtrics' Q_RecaptchaScore,
                   Q_RelevantIDFraudScore): a vendor's probability about the session, independent of
                   the answers; counts beside any group
copy               near_duplicate (a near copy of an earlier response, beyond chance; the later of
                   the two is judged; far beyond where essentially impossible by chance);
                   counts beside any group
(reported only)    person_fit (rises for honest extreme responders; off by default); tool_duplicate
                   (the tool says the device or browser answered before: shared computers exist)
=================  ===========================================================

A group counts beside another where that other group's own evidence is there (after its
quorum and the style marks; whether the other group counts in turn does not matter).  A
response with speed, direction and inconsistency flags is therefore excluded (direction
counts beside speed), one with invariance and inconsistency flags is kept, and so is one
with size and direction flags alone.

The groups and cut-offs were calibrated by simulation (``python -m
iur_survey.clean.evaluate``; honest respondents with acquiescent, extreme, midpoint and
fast-careful response styles whose strengths vary per seed, and an independent
graded-response generator in the tests).  ``CleanConfig.decision_exclude_alone``
restores any index as an exclusion on its own (e.g. ``[mahalanobis]`` for the old
behaviour), ``decision_min_evidence`` changes the number of groups, and
``decision_beside`` the groups that count beside others only (``{}``: every group counts
beside any).

Why a moderately fast duration is no piece of evidence by itself (graded speed,
:func:`~iur_survey.clean.rules.speeder`'s ``strong_fraction``).  Honest careful readers reach 2.4-4 s per
item (adults read 175-300 words a minute, Brysbaert 2019, *J Mem Lang* 109:104047; the study's items
have 12 words), and the median respondent takes far longer, so a flag at 21-30 % of the median is a
duration careful readers have.  Their answers are honest: each group beside speed flags them at its own
honest rate (structure at its .975 quantile, size at .01, likelihood and direction at .005, ...), and
speed beside *any one* of them excluded about the sum of those rates.  Which group joined speed for the
fast careful readers excluded (29 of 626 flagged but not far, an outside generator, median 14 s per
item, N 800 and 2000, seeds 1-3): structure 10, inconsistency 7, invariance 5, size 5, likelihood 3,
direction 3: no one group to blame, so the grade is the speed's.  A flag in the band's faster half
(below ``sqrt(far_fraction x fraction)`` = 21 % of the median; a relative speed above 4.7, Leiner 2019,
*Survey Research Methods* 13:229-248) still counts beside any one group.  Measured, before -> after
(N 800 and 2000/3000, seeds 1-3, csv; Wilson 95 % intervals pooled in the scratch report):

====================================  ==========================  ==========================================
generator                             honest fast careful         careless recall (where it changed)
====================================  ==========================  ==========================================
outside, fast readers 1.5-4 s/item    2.5-4 s: 24/503 -> 12/503   no careless response is moderately fast:
(median 14 s per item)                (4.8 -> 2.4 %; 3-4 s: 4.0   all equal (.624); honest at realistic
                                      -> 0.9 %; 2.5-3 s: 6.2 ->   strengths 0.84 -> 0.56 % (N 2000), 0.90 ->
                                      5.1 %: the faster ones are  0.77 % (N 800)
                                      strong)
outside (gen3: IR-tree styles,        10/621 -> 2/621             random, marginal shares .444 -> .429,
20-45 % of the median)                (1.6 -> 0.3 %)              person profile .522 -> .496; all .549 ->
                                                                  .545; precision .965 -> .975; style-free
                                                                  .559 -> .558, precision .987 = .987
outside (s27: median 10 s per item)   0.4 % = 0.4 %               every figure equal
real people (bfi, no durations)       --                          every figure equal
package simulator / varied            2.1 / 1.9 -> 0.2 / 0.2 %    hasty speeders (loadings x 0.6) .594 ->
                                                                  .570 / .594 -> .561
graded-response / foreign generator   0.7 / 1.8 -> 0.2 / 0.4 %    speeders .924 = .924 / .957 = .957
====================================  ==========================  ==========================================

Moderately fast careless respondents whose answers carry only one group are the cost (the simulator's
hasty speeders answer nearly as consistently as a careful reader).  ``speeder: {strong_fraction: 0.3}``
restores the previous rule (every flag counts beside any one group).

Why the distances may count twice beside a moderately fast duration (``distance_once``, off).  Size,
direction and structure are distances of the same answers; without speed they do not count beside each
other (size beside structure excepted, below) nor size beside ``likelihood``, whose ratio holds the same
distance.  Beside a moderately fast flag each counts, so an honest extreme responder who reads fast (an
extreme style gives a large D² almost always: speed and style independent, but the D² no independent
evidence for that person) is excluded where two of them flag, or one and the likelihood ratio: on an
outside generator (fast careful readers at 22-50 % of the median, 8 % of every style; N 459 and 1,515,
seeds 1-3, 5- and 7-point) 10 of 114 fast extreme responders were excluded, 5 of them so (speed + size +
direction 2, + structure 1, + likelihood 1, + structure + likelihood 1; 3 others by the likelihood ratio
far beyond, 2 under 2 s per question).  ``decision: {distance_once: true}`` counts the distances as one
piece there, and not beside the likelihood ratio alone (:func:`_distance_once`).  Measured on the stored
flags of every generator (the decision re-run; careless : honest excluded, default -> setting): that
generator's fast extreme responders 10 -> 5 of 114 (8.8 % [4.8, 15.4] -> 4.4 % [1.9, 9.9]), all its
extreme ones 36 -> 31 of 1,676, careless 1,064 -> 1,063 of 1,289 (style-free 1,058 -> 1,055); but on
the other generators it spared no honest respondent and lost careless ones: outside4 1,052 -> 1,051,
gen3 750 -> 745 (IRTree styles) and 768 -> 766 (style-free), a third outside generator 938 -> 937, the
package's simulator speeders 196 -> 189 of 342 (.573 -> .553), style-free 201 -> 197, varied 193 -> 189.
Five honest respondents for about 25 careless ones, so it stays off: the moderately fast careless
respondents whose answers carry only distances are, on the answers, what a fast extreme reader is.

Why ``likelihood`` is a group (same evaluation, N 3000): random answers at an ordinary speed
0.84 -> 0.90 on the graded-response generator and 0.22 -> 0.36 among real people (bfi), partly
careless answers 0.04 -> 0.11 and 0.03 -> 0.06, for honest exclusion 0.3 -> 0.4 % and 0.6 ->
0.7 %; on the package's simulator random 0.972 -> 0.978 for 0.6 -> 0.8 % (extreme responders
1.4 -> 2.2 %).  Its second ratio, a random tail (a change point), then took partly careless answers
0.11 -> 0.16 (graded response) and 0.06 -> 0.16 (bfi), for honest exclusion 0.4 -> 0.4 % and
0.7 -> 0.9 % (simulator: partial 0.80 -> 0.82, honest 0.8 -> 0.9 %).

Why ``direction`` and ``inconsistency`` count beside certain groups only: the flags of the
evaluation exports (five generators of ``python -m iur_survey.clean.evaluate --generator all``,
N 300 / 800 / 3000, seeds 1-3, csv) decided with and without these two limits.  As groups of
their own, the exclusions they alone completed were, careless : honest,

=============================  ==========
direction + inconsistency       2 : 26
direction + likelihood          2 : 7
invariance + inconsistency      0 : 14
size + inconsistency           27 : 65
=============================  ==========

and every other pair and triple but size + direction (below) caught more careless respondents
than honest ones.  The
distance indices are the same answers measured twice: an honest respondent far from the
centre in size (an extreme style the profile does not explain) also answers the noisy
synonym, antonym and even-odd indices unlike the sample.  The limits removed 112 of the 375
honest exclusions by the indices and 31 of the 2,346 careless ones.

Direction counted beside size too until an outside check (its own generator: skewed traits,
nine honest styles, ten careless kinds; N 1,500 and 3,000, three seeds, Qualtrics, 问卷星 and plain
CSV layouts) found honest threshold-scaling extreme responders (thresholds x 0.4-0.7, 43 % end
answers) excluded at 9.9 %, 21 of the 48 on size + direction: two distances of the same answers,
not independent evidence (Curran 2016), and the pair had caught 15 careless against 32 honest
respondents on the evaluation exports.  Beside speed only (``python -m iur_survey.clean.evaluate
--generator all --n 800 3000 --formats csv``, seeds 1-3; before -> after): all careless recall
simulator .843/.841 -> .829/.831, grm .758/.792 unchanged, style-free .810/.829 -> .810/.824, bfi
.438/.477 -> .429/.472, foreign .674/.683 -> .667/.681, varied .774/.770 -> .759/.760 (random
answers on the simulator .979/.967 -> .958/.939, at N 5000 284 -> 271 of 300 in
``tests/clean/test_recovery.py``; partly careless .875/.844 -> .792/.811);
precision up on every generator (simulator .974/.971 -> .983/.975); the varied generator's
threshold-scaling extreme responders 4.2/4.2 -> 2.1/2.5 %; the outside check's 9.9 -> 7.5 %
(its recall .885 -> .883) and another outside generator's item-mean-stretch extreme responders
(below) 19.4/23.7 -> 10.4/16.5 % (its recall .500/.528 -> .477/.512, its honest respondents
1.5/1.8 -> 0.9/1.3 %).  ``decision: {beside: {structure: [speed], direction: [speed, size],
inconsistency: [speed, likelihood]}}`` restores the previous rule.

Those extreme responders' remaining exclusions were then size + likelihood (which no longer
counts: below) and the likelihood ratio far beyond its cut-off, most of them by the random-tail
ratio: ``random_likelihood: {tails: false}`` took the outside check's to 4.8 % (N 1,500 / 3,000: 3.7 / 5.3 %) and the item-mean
stretch to 9.7/13.7 %, but costs the recall of partly careless answers (simulator .792/.811 ->
.750/.778, bfi .090/.145 -> .064/.053, varied careless from item 18-21 on .292/.244 ->
.292/.144; all careless up to .047 lower), so the tail ratio stays on.

Why ``structure`` supports speed only (``python -m iur_survey.clean.evaluate --generator
all``, N 800 and 3000, seeds 1-3, csv): as a group of its own at the .99 level it adds as
many honest respondents as careless ones (graded-response generator: honest excluded 0.27
-> 0.66 %, precision 0.965 -> 0.920); beside speed at the .975 level it adds 0.05-0.07 to
the recall of speeders on every generator with durations, and costs at most 2.5 % of the
honest respondents whose duration is flagged (a fast careful reader's answers follow
the item correlations as anyone's), nothing for the others.  Since the cut-off of the
responses outside the reference sample (fast ones are) takes the estimation error of the
correlations into account (:func:`~iur_survey.clean.rules.mahalanobis_quotient`; before,
fast careful readers met up to 16 % structure flags at N 150 instead of 2.5 %): with the
group, speeders 0.500 -> 0.542 (N 800) and 0.533 -> 0.593 (N 3000) on the package's
simulator, 0.895 -> 0.912 on the graded-response generator at N 3000, for fast careful
readers 0.0 -> 1.7 % and 1.1 -> 2.4 % (csv, seeds 1-3).

Why the answer-based evidence is not combined into one calibrated statistic: Fisher's
combination of upper-tail p-values against the honest answers the likelihood rules draw from
the sample's answer model (the two random-answer ratios; also the D² of the ipsatized answers
and the person-total correlation, both unchanged by a shift or a stretch of a person's
answers), cut at the draws' own .996 or .99 quantile, was measured against the default
(``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv``, and a
scratch generator with strong styles and partly random answers).  Within the time budget the
profiled ratios are exact beyond their .995 quantile only; combined there, at the .99 level it
excluded exactly what ``random_likelihood: {far_alpha: 0.005}`` excludes, at .996 about what
``far_alpha: 0.003`` does.  Profiled exactly for all 20,000 draws (about 10 s per cleaning), it
traded wholly against partly random answers as choosing one ratio does (graded response, N
3000, seed 1, at the draws' .99 level: partly random 0.14 combined, 0.23 by the tail ratio
alone; random 0.62 and 0.51).  The two style-free statistics lowered the recall and raised the
exclusion of styled honest respondents (against the two ratios alone at the .99 level, N 3000:
bfi's midpoint responders 0.5 -> 1.4 %, the foreign generator's extreme ones 2.4 -> 3.1 %).
Honest answers without a style are rarely beyond the draws' quantiles (graded response: 0.7 %
beyond the combination's .98 level): the unused exclusion budget is theirs, and styled respondents spend it
first.  The trade-off that remains is ``far_alpha`` (careless recall, honest excluded,
precision of all exclusions; N 800 / 3000, csv, seeds 1-3; measured while direction still
counted beside size):

==========  ================================  ================================  ================================
generator   far_alpha .001 (default)          .003                              .005
==========  ================================  ================================  ================================
simulator   .843/.841  0.5/0.6 %  .974/.968   .843/.843  0.5/0.6 %  .970/.966   .843/.844  0.6/0.7 %  .965/.963
grm         .758/.793  0.2/0.2 %  .973/.974   .758/.804  0.4/0.3 %  .953/.959   .771/.813  0.5/0.5 %  .934/.947
style-free  .810/.829  0.3/0.3 %  .984/.979   .810/.829  0.3/0.4 %  .984/.975   .810/.829  0.4/0.5 %  .976/.970
real (bfi)  .442/.480  0.7/0.7 %  .862/.867   .454/.498  0.9/0.8 %  .832/.855   .467/.519  1.0/1.0 %  .818/.838
foreign     .674/.685  0.3/0.7 %  .933/.862   .688/.704  0.4/0.7 %  .917/.852   .694/.720  0.5/0.8 %  .901/.846
varied      .774/.774  0.6/0.7 %  .972/.969   .780/.777  0.6/0.7 %  .971/.966   .780/.778  0.7/0.8 %  .967/.964
==========  ================================  ================================  ================================

Partly random answers gain most (graded response 0.14 -> 0.18 -> 0.22 at N 3000, bfi 0.16 ->
0.20 -> 0.24, foreign 0.11 -> 0.15 -> 0.22); no response style passes 2.9 % (simulator extreme
2.1 -> 2.5 -> 2.6 %) but the threshold-scaling extreme one (below; varied, N 3000: 4.7 -> 5.0 ->
5.3 %).  The default stays: at .003 no generator's recall rises by .02, at .005 the
graded-response precision falls under .95.  ``far_alpha: 0.003`` is the setting for a user who
would rather lose up to 0.2 % more honest respondents than partly random ones.

Why a strong extreme style can still be excluded.  Extreme responding has two readings.  As
threshold scaling (Jin & Wang 2014, *Educ Psychol Meas* 74:116-138: the person's thresholds times a
weight w < 1 about the item's location, i.e. the latent response stretched by 1/w about the scale's
centre; the simulator's opt-in ``extreme_scaled``) a middle answer may leave the middle, so the
answers' sides change and ``direction`` flags beside ``size``: at w = 0.4 (a stretch of 2.5, 68 %
end answers) 6.8 / 10.3 % of such honest respondents were excluded (package simulator, N 800 /
3000, seeds 1-3, csv), most on size + direction (62 of 73 at N 3000); on an outside generator's
latent model with the same stretch about its scale's centre 4.4 % (N 3000).  As a stretch about
each item's population mean (a person's own variance on fixed cut-offs, as in Rossi, Gilula &
Allenby 2001, *J Am Stat Assoc* 96:20-31) the answers cross the middle far more often (on an
item of average location, which most people agree with, a "1" 19 % of the time against 11 % under
threshold scaling and 2 % without a style) and spread over more categories, nearer uniform random
answers: that outside generator's extreme responders (x 2.5, 56 % end answers) were excluded at
27 %, 91 of 145 with the likelihood group (far beyond its cut-off, or beside size).  The profiled
ratio is compared with style-free honest answers, and a style whose answers spread more has a
larger ratio at its own parameters; adding stretches about the item mean to the profile's grid
changed 27 -> 26 %, so it was not added.  A ratio calibrated per style was measured too: cut-offs
from 5,000 honest answers drawn at the person's fitted stretch (the profile's grid), never below the
style-free ones (same evaluation and generators as the table below, default ``style_quantile``).  On
the likelihood rule the outside generator's extreme responders went 19.4 / 23.7 -> 13.2 / 18.7 %, its
careless recall .500 / .528 -> .384 / .441 (bfi's .477 -> .434, style-free random answers .978 ->
.956 at N 3000); on the style mark of the size evidence only, 14.6 / 20.0 % for a recall of .491 /
.520; with the draws stretched about the item mean (that generator's own model), 7.6 / 8.5 % for .435
/ .472.  The answers do not tell the two apart: on the ratios themselves, a cut-off with 5 % of those
extreme responders beyond it has 77 % of the uniform random answers beyond it (the default: 15 % and
87 %; N 3000, seeds 1-3), so no calibration is used.
Two settings of :func:`~iur_survey.clean.rules.mahalanobis` forgive more of the size evidence:
``style_quantile`` (the honest draws' quantile the profiled ratio may reach: .5 when the table
below was measured, .9 now) and
``shape_quantile`` (off by default: a D² is also explained where ``Q = D² / |z|²``, the
``structure`` statistic, is at most that quantile of honest answers' ``Q``: an ordinary shape, a
large size, which is what a stretch gives).  Measured (N 800 / 3000, seeds 1-3, csv, direction still beside size; "outside":
the outside generator, extreme responders stretched about the item mean, its careless recall and
honest exclusion; "scaled": threshold-scaling extreme responders, w = 0.4, on the package's
simulator; "evaluation": ``python -m iur_survey.clean.evaluate --generator all --n 800 3000
--formats csv`` against the default, where no style's rate and no generator's honest rate rose
under any setting):

==========================  ===========  ===========  ===========  ===========  =====================
``mahalanobis:``            outside      outside      outside      scaled       evaluation: largest
                            extreme      recall       honest       extreme      fall of a recall
==========================  ===========  ===========  ===========  ===========  =====================
``style_quantile: 0.5``     .271/.267    .500/.532    2.0/1.9 %    .068/.103    --
``style_quantile: 0.75``    .257/.259    .500/.531    1.9/1.9 %    .052/.079    .001
``style_quantile: 0.9``     .194/.237    .500/.528    1.5/1.8 %    .036/.058    .004 (bfi)
``style_quantile: 0.95``    .181/.213    .500/.525    1.4/1.6 %    .031/.047    .011 (bfi)
``shape_quantile: 0.5``     .160/.174    .481/.516    1.2/1.3 %    .042/.086    .006 (bfi)
``shape_quantile: 0.75``    .104/.115    .458/.498    0.9/0.9 %    .036/.064    .024 (bfi)
both (.75 and .9)           .090/.113    .458/.496    0.8/0.9 %    .026/.037    .027 (bfi)
==========================  ===========  ===========  ===========  ===========  =====================

The default is now ``style_quantile: 0.9`` (it was .5): it raised no style's rate on any generator,
lowered no overall recall by more than .004, and took threshold-scaling extreme responders from
6.8 / 10.3 % to 3.6 / 5.8 % and the outside generator's honest respondents from 2.0 / 1.9 % to
1.5 / 1.8 %.  No setting brings the outside generator's extreme responders near 5 % (the
likelihood group, not the size evidence, excludes most of them), and the shape check costs the
recall of random answers (outside generator 0.93 -> 0.82 at N 3000 with ``shape_quantile: 0.9``;
bfi's random answers 0.39 -> 0.35 at 0.75), so it stays off.  ``mahalanobis: {style_quantile: 0.5}``
restores the previous rule.

Why ``size`` counts beside neither ``likelihood`` nor ``direction`` (since this version): the
copula log-likelihood behind the random-answer ratio holds the squared distance of the answers' normal
scores (``-z'R^-1 z / 2``, :func:`~iur_survey.clean.indices.copula_item_loglik`), and an extreme or
IRTree style gives a large D² almost always, so for such a respondent size + likelihood was the ratio
beyond its .995 level alone, and size + direction + likelihood the same with one more distance of the
same answers: not independent evidence (Curran 2016), which the issue's rule of convergent evidence
asks for.  A random-answer ratio now excludes alone only far beyond its cut-off (.999), or beside
speed, invariance or inconsistency evidence.  Measured, N 3000, seeds 1-3 (size beside likelihood and
direction -> beside neither; both with the walking tails of :func:`~iur_survey.clean.rules.invariant_tail`):

==========================================  ==============================  ==============================
generator (exports)                         careless excluded               honest excluded
==========================================  ==============================  ==============================
outside, 7 factors, styles with a person    .954 -> .950 (partly careless   1.6 -> 1.0 % (extreme style
strength (3; Qualtrics)                     .911 -> .889)                   12.9 -> 6.4 %)
two outside generators, IRTree,             .869 -> .861 of 2,514 (partly   1.0 -> 0.7 % of 22,533
nominal-response and threshold-scaling      random .738 -> .704, random     (threshold-scaling extreme
styles (11; N 1,500/3,000; Qualtrics,       .910 -> .876)                   7.2 -> 3.1 %, IRTree 7.6 ->
问卷星)                                                                      5.6 %, IRTree extremity 3.0
                                                                            -> 1.8 %)
``python -m iur_survey.clean.evaluate       simulator .836 -> .833, grm     every style's rate equal or
--generator all --n 3000 --formats csv``    .792 -> .789, style-free .824   lower (simulator extreme 1.3
                                            -> .821, bfi .472 -> .434,      -> 0.6 %, varied extreme-
                                            foreign .681 -> .670, varied    scaled 2.5 -> 1.7 %); precision
                                            .769 -> .758                    up on every generator
==========================================  ==============================  ==============================

It loses careless answers wherever random ones are caught by their likelihood at the .995 level
only (bfi's random answers .381 -> .319), and halves the exclusion of extreme and IRTree
responders on every generator that has them.  ``decision: {beside: {structure: [speed], direction:
[speed], inconsistency: [speed, likelihood]}}`` restores the previous rule (size beside any group).

Why a random responder at an ordinary speed with five flags can be kept (size, direction, likelihood,
antonyms, person-total: one piece of evidence by the groups above), and why the groups stay.  Such a
response (an outside generator: 7 factors, nine kinds of careless answers, honest extreme responders
stretched about each item's mean; N 1,515, seeds 1-3, Qualtrics and plain layouts) has answers that
the indices cannot tell from an honest extreme responder's: the same profiled likelihood ratio (the
random-answer ratio's overlap, above), a large D² (the likelihood holds it) and one or two of the four
noisy inconsistency indices (person-total flags 23 % of the honest extreme responders there).  Five changes
of the decision were measured on the flags of every generator (the decision re-run on the stored
flags; the default reproduced every ledger, and two of the changes run through ``--config`` gave the
same exclusions as re-run): size beside likelihood where no response style explains the D²
(``L``; a likelihood flag leaves no D² style-explained, so this is size beside likelihood),
direction beside likelihood (``D``), size and direction together as one more piece beside
likelihood (``SD``), inconsistency at 2 of 4 (``I2``, :func:`decide`'s ``min_inconsistency``) and
at 2 of 4 beside likelihood only (``I2L``).  Careless : honest respondents they add to the
exclusions (the default's careless recall and honest exclusion first; csv unless said; seeds 1-3,
N 800 and 3000 unless said; outside4 N 1,515 in two layouts; stylelimits N 800 and 2000; mixedcareless
N 600 seeds 1-5 and N 2000 seeds 1-3, its mixed-scale and all-1-5 exports of the same people):

======================  ===============  =========  =========  =========  =========  =========
generator               default          L          D          SD         I2         I2L
======================  ===============  =========  =========  =========  =========  =========
outside4, styled        .963  0.31 %     +20 : +64  +5 : +22   +5 : +21   +6 : +6    +6 : +6
outside4, style-free    .958  0.08 %     +24 : +2   +14 : +0   +14 : +0   +8 : +2    +8 : +2
gen3, IRTree styles     .548  0.19 %     +34 : +3   +24 : +4   +20 : +1   +20 : +9   +18 : +8
gen3, style-free        .561  0.08 %     +47 : +4   +23 : +2   +22 : +1   +19 : +2   +19 : +2
s27 generator, styled   .823  0.49 %     +11 : +28  +8 : +20   +8 : +16   +9 : +17   +8 : +17
s27, style-free         .875  0.72 %     +16 : +40  +8 : +18   +8 : +13   +7 : +20   +7 : +20
stylelimits             .674  5.97 %     +14 : +1   +17 : +0   +10 : +0   +15 : +18  +15 : +0
real people (bfi)       .430  0.44 %     +38 : +19  +4 : +8    +4 : +5    +20 : +12  +20 : +12
simulator               .918  0.20 %     +3 : +11   +1 : +6    +1 : +4    +19 : +14  +2 : +7
varied                  .859  0.24 %     +15 : +11  +10 : +7   +8 : +3    +27 : +11  +8 : +4
foreign                 .667  0.34 %     +7 : +5    +2 : +0    +0 : +0    +13 : +9   +10 : +4
graded response         .782  0.12 %     +3 : +2    +1 : +0    +0 : +0    +12 : +10  +7 : +9
style-free              .920  0.12 %     +4 : +10   +2 : +6    +2 : +4    +17 : +3   +1 : +3
mixed scales            .687  2.71 %     +30 : +1   +19 : +3   +13 : +1   +31 : +28  +31 : +4
mixedcareless, mixed    .689  2.68 %     +19 : +2   +12 : +0   +8 : +0    +23 : +16  +23 : +2
mixedcareless, all 1-5  .697  2.77 %     +20 : +0   +20 : +1   +13 : +0   +32 : +15  +32 : +2
all                                      305 : 203  170 : 97   136 : 69   278 : 192  215 : 102
======================  ===============  =========  =========  =========  =========  =========

Every change adds honest respondents with the careless ones, from one for every two (SD, I2L) to two for
every three (L, I2): none catches these respondents without excluding more honest people. Outside4's random
answers at an ordinary speed go .929 -> .975 (L), .949 (D, SD, I2, I2L) of 198, its honest extreme
responders 2.3 % -> 9.9, 4.9, 4.8, 3.0 and 3.0 % of 836. With the shape of the answers among what explains a
D² (``mahalanobis: {shape_quantile: 0.75}`` or ``0.9``, which alone changed one decision of all these), size
beside likelihood added 153 : 112 and 56 : 52 (mixedcareless not run; outside4's extreme responders 6.8 and
3.3 %, the s27 generator's style-free honest respondents 74 -> 97 and 86 of 10,260). ``I2`` also takes fast
careful readers' exclusions beside speed up (simulator 1 -> 8 of 570, mixed scales 35 -> 59 of 570), and
``I2L`` rises beyond the Wilson 95 % interval of the default for the s27 generator's style-free honest
respondents (74 -> 94 of 10,260) and the graded-response generator's (8 -> 16 of 7,980). The default stays;
``decision: {min_inconsistency: 2}`` (``I2``) is the setting for a user who would rather lose a few more
honest respondents than random ones
(``I2L``, which spares the fast careful readers, has no setting). The opposite change, size not beside structure (``Q`` is ``D²`` per
unit of ``|z|²``: the same distance again) removed 23 honest and 61 careless exclusions, so size still
counts beside structure.

Why ``correlation_likelihood`` runs, as evidence only, and why ``inconsistency`` does not count beside
it.  Random answers drawn from each item's own honest category shares, and intermittent carelessness
(bursts of random answers over 30-50 % of the items), have ordinary shares: only the item correlations
tell them from honest answers.  How far they can be told apart at all: the Neyman-Pearson statistic
``z'(R^-1 - I) z`` on *latent* normal scores with the honest rows' own correlation (more than the
5-point answers carry, and no response style) has, at 1 % of honest respondents beyond its cut-off,
.76 / .81 of answers without correlations beyond it on an outside generator's styled / style-free
exports (Qualtrics, N 3000, its honest rows' mean |r| .24-.25) and .53 / .72 on the IRTree generator
(mean |r| .19 / .22), and .39 / .44 and .24 / .37 where 40 % of the items are random.  Recall .95 for
these kinds is out of reach of the answers at the issue's budget; the attention check and speed carry
the rest.  Measured on the harness of four outside generators (89 exports: outside4, outside5 5- and
7-point, outside6 Qualtrics, gen3 IRTree; N 300-3000, seeds 1-3, styled and style-free) and on
``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv`` (seeds 1-3); first
the decision re-run on the stored flags of a run with every index, then the pipeline (its figures
equal the re-run's):

=========================  ====================  ====================  ====================  ====================
                           previous default      profiled, far         profiled, evidence    style-free, evidence
                                                 beyond at .999        only (the default)    only
=========================  ====================  ====================  ====================  ====================
outside6 styled: honest    0.54 % (mix 2.7)      0.66 % (mix 4.1)      0.56 % (mix 2.9)      0.69 % (mix 3.9)
. marginal-share random    .526 (ATT1 .073)      .587 (.193)           .559 (.138)           .606 (.229)
. intermittent             .573 (.178)           .586 (.203)           .581 (.195)           .590 (.212)
outside6 style-free        .562 / .556, 0.08 %   .654 / .556, 0.10 %   .599 / .556, 0.09 %   .659 / .573, 0.11 %
gen3 styled                .443 / .224, 0.16 %   .471 / .237, 0.22 %   .450 / .232, 0.18 %   .500 / .259, 0.29 %
gen3 style-free            .387 / .243, 0.07 %   .430 / .256, 0.09 %   .408 / .247, 0.07 %   .444 / .270, 0.07 %
outside5 styled 5 / 7-pt   0.68-1.12 %           0.72-1.15 %           0.68-1.12 %           0.89-1.23 % (7-pt
                                                                                             extreme 2.6 -> 3.5)
outside4 styled            0.29 %                0.33 %                0.29 %                0.31 %
=========================  ====================  ====================  ====================  ====================

(marginal-share random / intermittent recall, honest excluded; "far beyond" of the style-free ratio
took outside6's extreme responders 0.3 -> 4.3 % and outside5's 7-point ones 2.6 -> 7.8 %).  With the
inconsistency indices counting beside it (``decision: {beside: {inconsistency: [speed, likelihood]}}``,
the previous partner) the profiled ratio, evidence only, added 53 careless and 22 honest exclusions on
the harness (outside6 styled .816, honest 0.60 %, mix 3.1 %; gen3 styled 0.21 %), 20 : 15 of them on
likelihood + inconsistency alone: both read whether the answers follow the item correlations (the
ratio's ``z'(R^-1 - I) z``, the synonyms' and even-odd halves' agreement), the same evidence twice; on
the package's simulator it excluded 6-7 honest respondents for every 2-3 careless ones (N 3000,
precision .989 -> .985, grm .985 -> .977).  Without them (the default): the harness gained 33 careless
and 7 honest exclusions and lost none (no honest rate up by more than 0.02 point; gen3's fast careful readers 0.3 ->
0.5 %); on the evaluation every recall rose or stayed (simulator .824 / .830 -> .833 / .832, grm .758
/ .793 -> .762 / .794, style-free .786 / .814 -> .798 / .817, bfi .417 / .436 -> .425 / .447, foreign
.660 -> .667 at N 800, varied .774 / .756 -> .780 / .763, its marginal-share random .694 / .704 ->
.722 / .726), none was lost, and no honest rate rose by more than 0.6 point (grm extreme 0 -> 0.6 % at
N 800, one of 180; bfi men 0.6 -> 0.9 %; bfi's precision .917 / .903 -> .903 / .899, grm's at N 800 .984 ->
.979, the others' within .001).  On a fifth outside generator whose honest people differ in noise (unique SD
x k, k ~ lognormal(0, .3); csv, N 800 and 3000, seeds 1-3) it caught 4 more careless and 2 more honest
respondents (styled; intermittent .389 -> .410 at N 3000), 1 and 4 (style-free), of 10,260 honest ones.
The structure and inconsistency evidence counting beside each other (structure at its .975
level) added 0.1-0.6 point of honest exclusions on every harness generator (outside4 style-free 0.06
-> 0.63 % for no careless one) and with 2 of 4 inconsistency indices 1.0-1.8 points (outside6 styled
midpoint 8.7 %), so they stay.  ``correlation_likelihood: {alpha: 0.01}`` added 16 careless and 4 honest
exclusions more on the harness (outside6 style-free .812 -> .816, gen3 styled .554 -> .558; no style up by
0.2 point) and on the evaluation recall up to .005 (simulator .833 / .832 -> .838 / .837) with every honest
rate equal but extreme responders one in 720 (simulator, varied): a user's setting; the default keeps
``random_likelihood``'s level.
``mixture_likelihood`` (2.5 s of CPU per 100,000 responses) stays
opt-in on the 5 s budget.  ``rules`` without ``correlation_likelihood`` restores the previous
default.

Why the antonyms lift the style guard (``guard_beside``, :data:`GUARD_BESIDE`; ``decision: {guard_antonyms:
false}`` restores the previous rule).  :func:`~iur_survey.clean.rules.random_likelihood`'s whole-form ratio is far
beyond only beyond the guard for stretched answer styles, the .98 quantile of honest answers drawn with each stretch,
which on the fourth and the stretched-extreme outside generators lies 0.2-2.5 units above the style-free .999 quantile
(on one export of the fifth and five of the held-out one, at or below it: there the guard does not bind).
Between the two (marked ``[within the style guard]``) lay, kept, 25 random answers at an ordinary speed that pass
the attention check and 24 honest respondents (21 extreme; 14 exports of those two generators, N 1,515, seeds 1-2 and
1-3, the stored flags of main).  What tells them apart is keying, not the answers' spread: a stretched honest
responder still answers the antonym pairs against each other, uniform random answers give them no direction (their
antonym correlation is about 0, above 0 about half the time).  ``psychant`` flagged 8 of the 25 random
rows there and 1 of the 24 honest ones; the synonyms 10 and 10, even-odd 7 and 4, person-total 3 and 3, the
correlation ratio 0 and 0.  So a whole-form ratio within the style guard is far beyond where ``psychant`` flags too.
A guard calibrated on the stretched draws that look like the row (within fifths of their share of end answers,
of their categories' spread or of their correlation ratio, or at the row's own profiled stretch) was measured first
and dropped: the stretched draws with the most uniform-looking answers are those with the largest ratios, so a
guard within their stratum binds harder on random rows (random answers beyond the far level on the fourth
generator, seeds 1-2, present guard -> stratified guard: 77 -> 35 by end answers, 36 by spread, 58 by correlation
ratio, 70 by stretch, honest 9 -> 2, 2, 5, 12 of 10,790), and the honest extreme responders beyond the style-free
level have the random rows' end share (.32 against .36), stretch (1.84) and spread.  Measured (default -> this,
``score_all.py`` on the four stored outside generators, seeds 1-3; random: at an ordinary speed, attention check
passed): the fourth outside generator styled 5- / 7-point random 34 -> 35 of 63 and 47 -> 50 of 70, style-free 41
-> 43 of 75 and 40 -> 46 of 65 (all four .540 / .671 / .547 / .615 -> .556 / .714 / .573 / .708), partly careless on
7 points 89 -> 90 (styled) and 88 -> 89 (style-free) of 162, honest 40 -> 40 and 30 -> 31 of 5,287 / 5,268 (7-point
extreme 2.6 -> 2.7 %), style-free 5 -> 5 and 4 -> 4; the stretched-extreme generator styled honest 16 -> 17 of 5,211
(extreme 1.6 -> 1.8 %), careless equal, style-free partly random 97 -> 98 of 105; the fifth (Qualtrics), the
noisy-person generator, the held-out one (``outside7/run.sh``, 54 exports) and ``python -m iur_survey.clean.evaluate
--generator all --n 800 3000 --formats csv`` every figure equal.  A small stretched group (the case that keeps
``random_likelihood``'s ``far_styles_sample`` opt-in: 1.1-2.8 points there) loses little (scratch check:
28 items, N 1,500, 40 uniform random rows, honest rows' whole latent response stretched 2.2 or 1.8 times, seeds 1-12;
rows far beyond, then rows this adds): a 1 % group 1 + 1 of 180 (stretch 1.8: 2 + 0), 2 % 3 + 1 of 360, 3 % 7 + 3 of
540 (1.8: 7 + 2), the other honest rows 0-1 + 0 of 17,000, random rows 322-325 + 17-19 of 480.  Cost: none
measurable (a text test on the rows the ratio flags).

>>> inc = {"psychsyn": pd.Series(["r -0.3"]), "psychant": pd.Series(["r 0.2"]), "even_odd": pd.Series(["r -0.1"])}
>>> decide({**inc, "correlation_likelihood": pd.Series(["ratio 30"])})[1]
['']
>>> decide({**inc, "correlation_likelihood": pd.Series(["ratio 30"])}, beside={"inconsistency": ["speed", "likelihood"]})[1]
['convergent evidence: likelihood + inconsistency']

>>> rnd = {"mahalanobis": pd.Series(["D² 61"]), "mahalanobis_direction": pd.Series(["direction D² 40"]),
...        "random_likelihood": pd.Series(["ratio -0.9"]), "psychant": pd.Series(["r 0.2"]),
...        "person_total": pd.Series(["r -0.3"]), "psychsyn": pd.Series([pd.NA], dtype="string"),
...        "even_odd": pd.Series([pd.NA], dtype="string")}
>>> decide(rnd)[1], decide(rnd, min_inconsistency=2)[1]
([''], ['convergent evidence: size + likelihood + inconsistency'])

>>> before = {"structure": ["speed"], "direction": ["speed"], "inconsistency": ["speed", "likelihood"]}
>>> pair = {"mahalanobis": pd.Series(["D² 80"], dtype="string"), "random_likelihood": pd.Series(["ratio 3.1"], dtype="string")}
>>> decide(pair)[1], decide(pair, beside=before)[1]
([''], ['convergent evidence: size + likelihood'])

>>> flags = {"speeder": pd.Series(["duration 90 s < 30% of median 540 s", pd.NA, "duration 9 s [far beyond the cut-off]"], dtype="string"),
...          "mahalanobis": pd.Series(["D² 80", pd.NA, pd.NA], dtype="string"),
...          "psychsyn": pd.Series([pd.NA, "r -0.2", pd.NA], dtype="string"),
...          "mahalanobis_direction": pd.Series([pd.NA, "direction D² 60", pd.NA], dtype="string")}
>>> ex, basis = decide(flags, min_inconsistency=1)   # direction + inconsistency: neither beside its partners
>>> ex.tolist(), basis
([True, False, True], ['convergent evidence: speed + size', '', 'far beyond the cut-off: speeder'])
>>> decide(flags, min_inconsistency=1, beside={})[1][1]
'convergent evidence: direction + inconsistency'
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .rules import FAR, GUARDED, MODERATE, STYLED

#: evidence group -> the index rules in it
EVIDENCE_GROUPS: dict[str, tuple[str, ...]] = {
    "speed": ("speeder", "tool_speed"),
    "invariance": ("longstring", "longpattern", "irv", "invariant_tail", "page_line"),
    "size": ("mahalanobis",),
    "direction": ("mahalanobis_direction",),
    "profile": ("mahalanobis_ipsatized",),
    "structure": ("mahalanobis_quotient",),
    "likelihood": ("random_likelihood", "correlation_likelihood", "mixture_likelihood"),
    "inconsistency": ("psychsyn", "psychant", "even_odd", "person_total"),
    "bot": ("tool_bot",),
    "copy": ("near_duplicate",),
}
#: indices that are reported but never count towards an exclusion (unless restored or far beyond)
REPORT_ONLY: tuple[str, ...] = ("person_fit", "tool_duplicate")
#: index rules whose hits a response style may explain (marked in the detail): such a hit counts beside speed only
STYLE_MARKED: tuple[str, ...] = ("mahalanobis",)
#: the groups that measure the distance of the same answers from the sample's (:func:`_distance_once`)
DISTANCE_GROUPS: tuple[str, ...] = ("size", "direction", "structure")
#: whether beside a moderately fast duration the distances count once (``decision_distance_once``)
DISTANCE_ONCE = False
#: index rule -> the index rules beside which its hit marked ``[within the style guard]`` (beyond its style-free far
#: level, within the guard for stretched answer styles) is far beyond (``decision_guard_antonyms: false``: nowhere)
GUARD_BESIDE: dict[str, tuple[str, ...]] = {"random_likelihood": ("psychant",)}
#: whether :data:`GUARD_BESIDE` applies (``decision_guard_antonyms``)
GUARD_ANTONYMS = True
#: evidence group -> the groups it counts beside (only); ``decision_beside`` in the configuration
BESIDE: dict[str, tuple[str, ...]] = {"structure": ("speed",), "direction": ("speed",),
                                      "inconsistency": ("speed", "random_likelihood", "mixture_likelihood"),
                                      "size": ("speed", "invariance", "profile", "structure", "inconsistency")}


def evidence(flags: Mapping[str, pd.Series], *, min_inconsistency: int = 3,
             beside: Mapping[str, Iterable[str]] = BESIDE, hits: Mapping[str, np.ndarray] | None = None,
             min_evidence: int = 2, distance_once: bool = DISTANCE_ONCE) -> dict[str, np.ndarray]:
    """Per evidence group (:data:`EVIDENCE_GROUPS`), whether it counts against each response.

    A group in ``beside`` counts only where one of its partner groups has evidence of its
    own.  A speed flag marked ``[moderately fast]`` (:func:`~iur_survey.clean.rules.speeder`) is
    evidence of its own for that purpose, but counts itself only where ``min_evidence`` other groups
    count (it adds nothing to the decision: the answers must carry it).  ``hits``: the flags'
    ``notna()`` as boolean arrays, when the caller has them already.

    >>> f = {"psychsyn": pd.Series(["r", "r"]), "psychant": pd.Series(["r", pd.NA]), "even_odd": pd.Series(["r", "r"])}
    >>> {g: v.tolist() for g, v in evidence(f, beside={}).items()}
    {'inconsistency': [True, False]}
    >>> f = {"speeder": pd.Series(["fast", pd.NA]), "mahalanobis_quotient": pd.Series(["Q", "Q"])}
    >>> {g: v.tolist() for g, v in evidence(f).items()}
    {'speed': [True, False], 'structure': [True, False]}
    >>> f["speeder"] = pd.Series(["fast [moderately fast]", pd.NA])
    >>> {g: v.tolist() for g, v in evidence(f).items()}
    {'speed': [False, False], 'structure': [True, False]}
    """
    hit = _hits(flags) if hits is None else hits
    own = own_evidence(flags, min_inconsistency=min_inconsistency, hits=hit)
    moderate = _moderate_only(flags, hit)
    groups = dict(own)
    marked = None
    for g, partners in beside.items():
        if g in groups:
            company = np.zeros_like(groups[g])
            for p in partners:
                if p in own and p != g:
                    company |= own[p]
                elif p in hit and p not in EVIDENCE_GROUPS.get(g, ()):      # an index rule of another group
                    marked = _marked(flags, hit) if marked is None else marked
                    company |= marked[p]
            groups[g] = groups[g] & company
    if "speed" in groups and moderate is not None and distance_once:
        _distance_once(groups, moderate)
    if "speed" in groups and moderate is not None:
        others = [v for g, v in groups.items() if g != "speed"]
        enough = (np.sum(others, axis=0) >= int(min_evidence)) if others else np.zeros_like(moderate)
        groups["speed"] = groups["speed"] & (~moderate | enough)
    return groups


def _distance_once(groups: dict[str, np.ndarray], moderate: np.ndarray) -> None:
    """Beside a ``[moderately fast]`` speed flag (no evidence itself), the distances of the same answers
    (:data:`DISTANCE_GROUPS`) count as one piece, and not where ``likelihood`` is the only other piece (the
    random-answer ratio holds the same distance: ``size`` does not count beside it without speed either).
    Changes ``groups`` in place.

    >>> g = {"speed": np.array([True, True, True]), "size": np.array([True, True, False]),
    ...      "direction": np.array([True, True, True]), "likelihood": np.array([False, False, True])}
    >>> _distance_once(g, np.array([True, False, True])); {k: v.tolist() for k, v in g.items()}
    {'speed': [True, True, True], 'size': [True, True, False], 'direction': [False, True, False], 'likelihood': [False, False, True]}
    """
    present = [g for g in DISTANCE_GROUPS if g in groups]
    if not present:
        return
    rest = [v for g, v in groups.items() if g not in DISTANCE_GROUPS + ("speed", "likelihood")]
    independent = np.any(rest, axis=0) if rest else np.zeros_like(moderate)
    alone_with_likelihood = groups["likelihood"] & ~independent if "likelihood" in groups else np.zeros_like(moderate)
    drop = moderate & alone_with_likelihood
    taken = np.zeros_like(moderate)
    for g in present:                        # the first distance that counts stands for them all
        keep = groups[g] & ~drop & ~taken
        taken |= groups[g]
        groups[g] = np.where(moderate, keep, groups[g])


def own_evidence(flags: Mapping[str, pd.Series], *, min_inconsistency: int = 3,
                 hits: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per evidence group, whether it has evidence of its own against each response (after its quorum and the
    style marks), before the rule that some groups count only beside others (:func:`evidence`).

    >>> f = {"mahalanobis": pd.Series(["D² 80"]), "mahalanobis_quotient": pd.Series(["Q"])}
    >>> {g: v.tolist() for g, v in own_evidence(f).items()}
    {'size': [True], 'structure': [True]}
    """
    hit = _marked(flags, _hits(flags) if hits is None else hits)
    quorum = {"inconsistency": int(min_inconsistency)}
    own: dict[str, np.ndarray] = {}
    for g, members in EVIDENCE_GROUPS.items():
        present = [hit[r] for r in members if r in hit]
        if present:
            own[g] = np.sum(present, axis=0) >= min(quorum.get(g, 1), len(present))
    return own


def _marked(flags: Mapping[str, pd.Series], hit: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each index rule's hits without those a response style explains (:data:`STYLE_MARKED`; beside speed they stay)."""
    fast = [hit[r] for r in EVIDENCE_GROUPS["speed"] if r in hit]
    speed = np.any(fast, axis=0) if fast else None
    return {r: _unstyled(flags[r], h, speed) if r in STYLE_MARKED else h for r, h in hit.items()}


def basis_rules(basis: str) -> set[str]:
    """The index rules an exclusion's basis text (from :func:`decide`) rests on.

    >>> sorted(basis_rules("convergent evidence: speed + size"))
    ['mahalanobis', 'speeder', 'tool_speed']
    >>> sorted(basis_rules("far beyond the cut-off: longstring, irv"))
    ['irv', 'longstring']
    """
    kind, _, names = basis.partition(": ")
    if kind == "convergent evidence":
        named = [w for part in names.split(" + ") for w in re.split(r" \(beside |, |\)", part) if w]
        return {r for g in named for r in EVIDENCE_GROUPS.get(g, ())}
    return {r.strip() for r in names.split(",") if r.strip()}


def decide(flags: Mapping[str, pd.Series], *, min_evidence: int = 2, min_inconsistency: int = 3,
           exclude_alone: Iterable[str] = (), beside: Mapping[str, Iterable[str]] = BESIDE,
           hits: Mapping[str, np.ndarray] | None = None, groups: Mapping[str, np.ndarray] | None = None,
           guard_beside: Mapping[str, Iterable[str]] = GUARD_BESIDE) -> tuple[np.ndarray, list[str]]:
    """Which flagged responses to exclude, and on what basis (see the module docstring).

    ``flags``: index rule -> its detail Series (``<NA>`` = not flagged), all aligned.
    Returns a boolean array (exclude) and, per response, the basis text ('' if kept).
    ``hits``: as in :func:`evidence`; ``groups``: :func:`evidence` of the same flags and
    settings, when the caller has it already; ``guard_beside``: :data:`GUARD_BESIDE` (``{}``: a ratio within the
    style guard is never far beyond).  A group that counts only beside others is named
    with the partners it counts beside where none of them counts itself:

    >>> f = {"mahalanobis": pd.Series(["D² 80"]), "mahalanobis_quotient": pd.Series(["Q"]),
    ...      "random_likelihood": pd.Series(["ratio 3.1"])}
    >>> decide(f)[1]
    ['convergent evidence: size (beside structure) + likelihood']
    >>> sorted(basis_rules(decide(f)[1][0]))
    ['correlation_likelihood', 'mahalanobis', 'mahalanobis_quotient', 'mixture_likelihood', 'random_likelihood']
    """
    if not flags:
        return np.zeros(0, dtype=bool), []
    n = len(next(iter(flags.values())))
    alone = set(exclude_alone)
    hit = _hits(flags) if hits is None else hits
    far = {}
    for r, f in flags.items():
        far[r] = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(hit[r])
        if len(idx):
            vals = f.to_numpy(dtype=object)[idx]
            far[r][idx] = [FAR in v for v in vals]
    if groups is None:
        groups = evidence(flags, min_inconsistency=min_inconsistency, beside=beside, hits=hit,
                          min_evidence=min_evidence)
    points = np.sum(list(groups.values()), axis=0) if groups else np.zeros(n, dtype=int)
    far_any = np.zeros(n, dtype=bool)
    for r in far:
        far_any |= far[r]
    guarded = _guarded(flags, hit, guard_beside, n)
    far_any |= guarded
    alone_any = np.zeros(n, dtype=bool)
    for r in alone:
        if r in hit:
            alone_any |= hit[r]
    convergent = points >= int(min_evidence)
    exclude = far_any | alone_any | convergent
    own = own_evidence(flags, min_inconsistency=min_inconsistency, hits=hit) if np.any(convergent) else {}

    def _named(g: str, i: int) -> str:
        """A group that counts only beside others, named with the partners it counts beside where none of them
        counts itself (size beside structure, with structure counting beside speed only)."""
        partners = [p for p in beside.get(g, ()) if p in own and p != g and own[p][i]]
        if not partners or any(groups[p][i] for p in partners if p in groups):
            return g
        return f"{g} (beside {', '.join(partners)})"
    basis = [""] * n
    for i in np.flatnonzero(exclude):
        if far_any[i] and not any(far[r][i] for r in far):
            basis[i] = ("far beyond the style-free cut-off, the antonyms against a style: " +
                        ", ".join(r for r in (*guard_beside, *(p for ps in guard_beside.values() for p in ps))
                                  if r in hit and hit[r][i]))
        elif far_any[i]:
            basis[i] = "far beyond the cut-off: " + ", ".join(r for r in far if far[r][i])
        elif convergent[i]:
            basis[i] = "convergent evidence: " + " + ".join(_named(g, i) for g, v in groups.items() if v[i])
        else:
            basis[i] = "excluded alone by configuration: " + ", ".join(r for r in alone if r in hit and hit[r][i])
    return exclude, basis


def _guarded(flags: Mapping[str, pd.Series], hit: Mapping[str, np.ndarray], guard_beside: Mapping[str, Iterable[str]],
             n: int) -> np.ndarray:
    """Where a hit marked ``[within the style guard]`` (:data:`~iur_survey.clean.rules.GUARDED`) has a partner rule of
    ``guard_beside`` flagging beside it: far beyond (the module docstring, "Why the antonyms lift the style guard").

    >>> f = {"random_likelihood": pd.Series(["ratio 1.2 [within the style guard]", "ratio 1.2 [within the style guard]",
    ...                                      "ratio 0.1"]), "psychant": pd.Series(["r 0.2", pd.NA, "r 0.3"])}
    >>> _guarded(f, _hits(f), GUARD_BESIDE, 3).tolist()
    [True, False, False]
    """
    out = np.zeros(n, dtype=bool)
    for r, partners in guard_beside.items():
        beside = [hit[p] for p in partners if p in hit]
        if r not in hit or not beside:
            continue
        idx = np.flatnonzero(hit[r] & np.any(beside, axis=0))
        if len(idx):
            out[idx] = [f"[{GUARDED}]" in v for v in flags[r].to_numpy(dtype=object)[idx]]
    return out


def _hits(flags: Mapping[str, pd.Series]) -> dict[str, np.ndarray]:
    return {r: f.notna().to_numpy() for r, f in flags.items()}


def _moderate_only(flags: Mapping[str, pd.Series], hit: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """Where every speed hit of a response is a ``[moderately fast]`` one (``None``: nowhere)."""
    present = [r for r in EVIDENCE_GROUPS["speed"] if r in hit and hit[r].any()]
    if not present:
        return None
    n = len(hit[present[0]])
    anyhit = np.zeros(n, dtype=bool)
    strong = np.zeros(n, dtype=bool)
    for r in present:
        idx = np.flatnonzero(hit[r])
        marked = np.array([f"[{MODERATE}]" in v for v in flags[r].to_numpy(dtype=object)[idx]], dtype=bool)
        anyhit[idx] = True
        strong[idx[~marked]] = True
    out = anyhit & ~strong
    return out if out.any() else None


def _unstyled(flag: pd.Series, hit: np.ndarray, speed: np.ndarray | None) -> np.ndarray:
    """``hit`` without the hits a response style explains (marked in the detail), except beside speed."""
    idx = np.flatnonzero(hit)
    if not len(idx):
        return hit
    marked = np.array([STYLED in v for v in flag.to_numpy(dtype=object)[idx]], dtype=bool)
    if not marked.any():
        return hit
    out = hit.copy()
    out[idx[marked]] = False if speed is None else speed[idx[marked]]
    return out
