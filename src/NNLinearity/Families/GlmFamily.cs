using System;
using NNLinearity.Links;

namespace NNLinearity.Families;

/// <summary>
/// The response distribution of a generalized linear model: variance function V(mu), unit deviance, log-likelihood
/// (through R's AIC), canonical link, the links it accepts and the responses it supports. Families and links are
/// separate: any accepted link can be paired with a family.
/// </summary>
/// <remarks>
/// Every formula follows R's <c>family</c> objects (stats, MASS::negative.binomial, statmod::tweedie) so that fits agree
/// with R's <c>glm</c>. Deviances here are per observation with prior weight <c>w</c>: R's <c>dev.resids(y, mu, w)</c>.
/// <para>Thread safety: families are immutable; one instance may serve any number of fits and threads at once.</para>
/// </remarks>
public abstract class GlmFamily
{
    /// <summary>The family's name as R prints it (for example <c>binomial</c>, <c>Gamma</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The canonical link (R's default link for the family).</summary>
    public abstract ILinkFunction CanonicalLink { get; }

    /// <summary>
    /// True when the dispersion is estimated from the Pearson chi-square over the residual degrees of freedom
    /// (Gaussian, Gamma, inverse Gaussian, Tweedie and the quasi families); false when it is fixed at 1.
    /// </summary>
    public abstract bool EstimatesDispersion { get; }

    /// <summary>True when the family has a likelihood, so that AIC, BIC and the log-likelihood are defined (false for quasi families and Tweedie, where R reports NA).</summary>
    public virtual bool HasLikelihood => true;

    /// <summary>Number of parameters the family adds to the model's degrees of freedom in AIC/BIC (1 for a scale estimated by maximum likelihood: Gaussian, Gamma, inverse Gaussian).</summary>
    public virtual int ExtraParameters => 0;

    /// <summary>The variance function V(mu).</summary>
    /// <param name="mu">The mean.</param>
    public abstract double Variance(double mu);

    /// <summary>The deviance contribution of one observation with prior weight <paramref name="weight"/> (R's <c>dev.resids</c>).</summary>
    /// <param name="y">The response.</param>
    /// <param name="mu">The fitted mean.</param>
    /// <param name="weight">The prior weight.</param>
    public abstract double Deviance(double y, double mu, double weight);

    /// <summary>True when <paramref name="y"/> is in the support of the family.</summary>
    /// <param name="y">A response value.</param>
    public abstract bool IsValidResponse(double y);

    /// <summary>Describes the family's support, for error messages (for example "non-negative counts").</summary>
    public abstract string ResponseSupport { get; }

    /// <summary>True when <paramref name="mu"/> is a mean the family accepts during fitting (R's <c>validmu</c>).</summary>
    /// <param name="mu">A mean.</param>
    public abstract bool IsValidMean(double mu);

    /// <summary>The starting mean for IRLS from one response and its prior weight (R's <c>initialize</c> / mustart).</summary>
    /// <param name="y">The response.</param>
    /// <param name="weight">The prior weight.</param>
    public abstract double InitialMean(double y, double weight);

    /// <summary>True when <paramref name="link"/> may be used with this family.</summary>
    /// <param name="link">The link to check.</param>
    public abstract bool IsLinkAllowed(ILinkFunction link);

    /// <summary>
    /// R's <c>family$aic(y, n, mu, wt, dev)</c>: minus twice the log-likelihood plus the family's extra parameters times 2,
    /// or null when the family has no likelihood. The model AIC adds twice the rank.
    /// </summary>
    /// <param name="y">Responses.</param>
    /// <param name="mu">Fitted means.</param>
    /// <param name="weights">Prior weights.</param>
    /// <param name="deviance">The model deviance.</param>
    public abstract double? AicTerm(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, double deviance);

    /// <summary>
    /// How many running sums <see cref="AccumulateAicSums"/> keeps: the family's AIC term as sums over rows, so that
    /// data streamed in chunks or held in partitions give <see cref="AicTerm"/> without the rows. 0 when the family has no likelihood.
    /// </summary>
    internal virtual int AicSumCount => 0;

    /// <summary>Adds a block of rows' contributions to the AIC sums (each sum is a plain sum over rows).</summary>
    internal virtual void AccumulateAicSums(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> sums)
    {
    }

    /// <summary><see cref="AicTerm"/> from the sums over every row and the deviance; null when the family has no likelihood.</summary>
    internal virtual double? AicFromSums(ReadOnlySpan<double> sums, double deviance) => null;

    /// <summary>dV/dmu, for the curvature of the deviance in eta (exact log-likelihood Hessians).</summary>
    internal abstract double VarianceDerivative(double mu);

    /// <summary>
    /// Per block of rows: variance[i] = V(mu[i]); returns the block's deviance and clears <paramref name="valid"/> when a
    /// mean is not valid. One virtual call per block; families on the hot path override it with a tight loop.
    /// </summary>
    internal virtual double VarianceAndDeviance(ReadOnlySpan<double> y, ReadOnlySpan<double> mu, ReadOnlySpan<double> weights, Span<double> variance, ref bool valid)
    {
        double dev = 0;
        for (int i = 0; i < mu.Length; i++)
        {
            variance[i] = Variance(mu[i]);
            dev += Deviance(y[i], mu[i], weights[i]);
            valid &= IsValidMean(mu[i]);
        }

        return dev;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="link"/> is one of the library's links that this family does not take (R's lists); a link of the caller's own type is accepted for every family, as R accepts a link-glm object.</summary>
    /// <param name="link">The link to check.</param>
    /// <param name="paramName">The argument name reported in the exception.</param>
    public void ValidateLink(ILinkFunction link, string paramName)
    {
        ArgumentNullException.ThrowIfNull(link, paramName);
        // A link of the caller's own is accepted for every family, as R accepts a "link-glm" object: its domain is
        // then the caller's to match to the family's (the fit still refuses invalid means as they arise).
        if (link.GetType().Assembly != typeof(GlmFamily).Assembly) return;
        if (!IsLinkAllowed(link))
        {
            throw new ArgumentException($"The {link.Name} link is not available for the {Name} family.", paramName);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>The Gaussian family with the identity link by default.</summary>
    public static GlmFamily Gaussian { get; } = new GaussianFamily();

    /// <summary>The binomial family (0/1 responses, or proportions with trial counts as prior weights), logit link by default.</summary>
    public static GlmFamily Binomial { get; } = new BinomialFamily();

    /// <summary>The Poisson family, log link by default.</summary>
    public static GlmFamily Poisson { get; } = new PoissonFamily();

    /// <summary>The Gamma family, inverse link by default.</summary>
    public static GlmFamily Gamma { get; } = new GammaFamily();

    /// <summary>The inverse Gaussian family, 1/mu^2 link by default.</summary>
    public static GlmFamily InverseGaussian { get; } = new InverseGaussianFamily();

    /// <summary>The quasi-binomial family: binomial variance, dispersion estimated.</summary>
    public static GlmFamily QuasiBinomial { get; } = new QuasiBinomialFamily();

    /// <summary>The quasi-Poisson family: Poisson variance, dispersion estimated.</summary>
    public static GlmFamily QuasiPoisson { get; } = new QuasiPoissonFamily();

    /// <summary>The negative binomial family with known shape <paramref name="theta"/> (MASS::negative.binomial), log link by default.</summary>
    /// <param name="theta">The shape; variance mu + mu^2 / theta. Must be positive and finite.</param>
    public static GlmFamily NegativeBinomial(double theta) => new NegativeBinomialFamily(theta);

    /// <summary>The Tweedie family with variance power <paramref name="power"/> (statmod::tweedie), link mu^(1 - p) by default (log at p = 1).</summary>
    /// <param name="power">The variance power p: any finite number (see <see cref="TweedieFamily"/>).</param>
    public static GlmFamily Tweedie(double power) => new TweedieFamily(power);

    /// <summary>R's quasi family with the given variance function (see <see cref="QuasiFamily"/>).</summary>
    /// <param name="variance">The variance function.</param>
    /// <returns>The family.</returns>
    public static GlmFamily Quasi(QuasiVariance variance) => new QuasiFamily(variance);

    /// <summary>True when the link is one of the named kinds (by type), or a power link for the listed powers.</summary>
    private protected static bool IsOneOf(ILinkFunction link, params Type[] kinds)
    {
        foreach (Type t in kinds)
        {
            if (link.GetType() == t) return true;
        }

        if (link is PowerLink p)
        {
            foreach (Type t in kinds)
            {
                if ((t == typeof(LogLink) && p.Lambda == 0) || (t == typeof(IdentityLink) && p.Lambda == 1)
                    || (t == typeof(SqrtLink) && p.Lambda == 0.5) || (t == typeof(InverseLink) && p.Lambda == -1)
                    || (t == typeof(InverseSquaredLink) && p.Lambda == -2))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>y log(y / mu), with the limit 0 at y = 0 (R's y_log_y).</summary>
    private protected static double YLogY(double y, double mu) => y != 0 ? y * Math.Log(y / mu) : 0.0;

}
