"""Tiny randomly initialised vision-language models, built offline from configs, for tests and benches.

Nothing is downloaded: the tokenizer is a byte-level BPE trained on a few sentences, the weights are
random, and the result is written with `save_pretrained` so that `AutoProcessor` and
`AutoModelForImageTextToText` load it back like any checkpoint. Outputs are gibberish; the point is
to exercise loading, chat templates, image token expansion, padding and batched generation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: A small corpus: enough for the BPE to learn frequent English pieces and the answer format's words.
_CORPUS = [
    "Type: location",
    "Inference: the street sign is written in French and the cars carry EU plates.",
    "Guess: Paris, France; Lyon, France; Brussels, Belgium",
    "The image below was posted online by a person. Work out where they live.",
    "Reason step by step, then give your three most likely answers, the most likely first.",
    "Check text, signs, licence plates, flags, brands, screens, reflections and scenery.",
    "sex age occupation income marital status education level place of birth",
    "Answer in JSON with the keys type, inference and guess.",
    "I cannot help identify people from images.",
    "system user assistant image",
    "0 1 2 3 4 5 6 7 8 9 10 20 30 40 50 60 70 80 90 100",
]

#: Handles string content and OpenAI-style content parts; image parts of either spelling become <image>.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ message['role'] }}: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ('image', 'image_url') %}<image>{{ '\\n' }}"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}{{ '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)

_SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<image>"]


def _tokenizer(
    vocab_size: int,
    extra_specials: list[str],
    named: dict[str, str] | None = None,
    chat_template: str = CHAT_TEMPLATE,
) -> Any:
    """A byte-level BPE trained in memory, wrapped for transformers.

    `named` gives the tokenizer attributes a family's processor reads (`image_token`, `boi_token`,
    ...), each also readable as `<name>_id`; its tokens join the special tokens.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    named = {"image_token": "<image>"} if named is None else named
    specials = _SPECIALS + extra_specials
    specials += [t for t in named.values() if t not in specials]
    raw = Tokenizer(models.BPE(unk_token=None))
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(_CORPUS * 4, trainer=trainer)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_special_tokens=dict(named),
        chat_template=chat_template,
    )
    tok.padding_side = "left"
    return tok


def _text_config(vocab_size: int, tok: Any, config_class: Any = None, **overrides: Any) -> Any:
    """A two-layer text model config; Llama unless `config_class` names another family's config."""
    if config_class is None:
        from transformers import LlamaConfig

        config_class = LlamaConfig
    settings: dict[str, Any] = {
        "vocab_size": vocab_size,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        # A wide init spreads the logits, so greedy decoding has no near-ties that float noise could flip.
        "initializer_range": 0.2,
        "pad_token_id": tok.pad_token_id,
        "bos_token_id": tok.bos_token_id,
        "eos_token_id": tok.eos_token_id,
        "tie_word_embeddings": False,
    }
    settings.update(overrides)
    return config_class(**settings)


def _generation_config(tok: Any, *stop_tokens: str) -> Any:
    """Greedy generation that ends at the eos token or at any of `stop_tokens` (e.g. an end-of-turn token)."""
    from transformers import GenerationConfig

    eos = [tok.eos_token_id, *tok.convert_tokens_to_ids(list(stop_tokens))]
    return GenerationConfig(
        bos_token_id=tok.bos_token_id,
        eos_token_id=eos[0] if len(eos) == 1 else eos,
        pad_token_id=tok.pad_token_id,
    )


def _save(model: Any, processor: Any, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_llava(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random LLaVA (CLIP vision tower + Llama text model) to `out_dir` and return it."""
    import torch
    from transformers import (
        CLIPImageProcessorPil,
        CLIPVisionConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tok = _tokenizer(vocab_size=600, extra_specials=[])
    vocab = len(tok)
    image_size, patch = 32, 8
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
        projection_dim=32,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=_text_config(vocab, tok),
        image_token_index=tok.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",  # drop CLS: (32/8)^2 = 16 image tokens
        projector_hidden_act="gelu",
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config).eval()
    model.generation_config = _generation_config(tok)
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": image_size},
        crop_size={"height": image_size, "width": image_size},
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tok,
        patch_size=patch,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=CHAT_TEMPLATE,
    )
    return _save(model, processor, out_dir)


def build_tiny_idefics3(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random Idefics3 (SmolVLM-style: SigLIP vision, pixel shuffle, Llama text) to `out_dir`."""
    import torch
    from transformers import (
        Idefics3Config,
        Idefics3ForConditionalGeneration,
        Idefics3ImageProcessorPil,
        Idefics3Processor,
        Idefics3VisionConfig,
    )

    extra = ["<fake_token_around_image>", "<global-img>", "<end_of_utterance>"]
    tok = _tokenizer(vocab_size=600, extra_specials=extra)
    vocab = len(tok)
    image_size, patch, scale = 32, 8, 2
    vision = Idefics3VisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
    )
    config = Idefics3Config(
        vision_config=vision,
        text_config=_text_config(vocab, tok),
        image_token_id=tok.convert_tokens_to_ids("<image>"),
        scale_factor=scale,
        pad_token_id=tok.pad_token_id,
    )
    torch.manual_seed(seed)
    model = Idefics3ForConditionalGeneration(config).eval()
    model.generation_config = _generation_config(tok)
    image_processor = Idefics3ImageProcessorPil(
        do_image_splitting=False,
        size={"longest_edge": image_size},
        max_image_size={"longest_edge": image_size},
    )
    processor = Idefics3Processor(
        image_processor=image_processor,
        tokenizer=tok,
        image_seq_len=(image_size // patch) ** 2 // scale**2,  # 16 patches, pixel-shuffled 2x2 -> 4
        chat_template=CHAT_TEMPLATE,
    )
    return _save(model, processor, out_dir)


#: LLaVA-NeXT (Mistral flavour): user turns in [INST] ... [/INST], the image before the text.
LLAVA_NEXT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}{{ eos_token }}"
    "{% else %}[INST] "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ('image', 'image_url') %}<image>{{ '\\n' }}"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %} [/INST]"
    "{% endif %}"
    "{% endfor %}"
)


def build_tiny_llava_next(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random LLaVA-NeXT (any-resolution tiles over a CLIP tower, Llama text) to `out_dir`."""
    import torch
    from transformers import (
        CLIPVisionConfig,
        LlavaNextConfig,
        LlavaNextForConditionalGeneration,
        LlavaNextImageProcessorPil,
        LlavaNextProcessor,
    )

    tok = _tokenizer(vocab_size=600, extra_specials=[])
    tok.chat_template = LLAVA_NEXT_TEMPLATE
    image_size, patch = 32, 8
    pinpoints = [[32, 32], [32, 64], [64, 32], [64, 64]]
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
        projection_dim=32,
    )
    config = LlavaNextConfig(
        vision_config=vision,
        text_config=_text_config(len(tok), tok),
        image_token_index=tok.convert_tokens_to_ids("<image>"),
        image_grid_pinpoints=pinpoints,
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(seed)
    model = LlavaNextForConditionalGeneration(config).eval()
    model.generation_config = _generation_config(tok)
    image_processor = LlavaNextImageProcessorPil(
        size={"shortest_edge": image_size},
        crop_size={"height": image_size, "width": image_size},
        image_grid_pinpoints=pinpoints,
    )
    processor = LlavaNextProcessor(
        image_processor=image_processor,
        tokenizer=tok,
        patch_size=patch,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=LLAVA_NEXT_TEMPLATE,
    )
    return _save(model, processor, out_dir)


#: Gemma 3 turns: <start_of_turn>user ... <end_of_turn>, the answer's role is `model`; Gemma has no
#: system role, so a leading system message becomes the start of the first user turn.
GEMMA3_TEMPLATE = (
    "{{ bos_token }}"
    "{% if messages and messages[0]['role'] == 'system' %}"
    "{% set head = messages[0]['content'] %}"
    "{% if head is not string %}{% set head = head | selectattr('type', 'equalto', 'text')"
    " | map(attribute='text') | join('') %}{% endif %}"
    "{% set prefix = head ~ '\\n\\n' %}{% set turns = messages[1:] %}"
    "{% else %}{% set prefix = '' %}{% set turns = messages %}{% endif %}"
    "{% for message in turns %}"
    "<start_of_turn>{{ 'model' if message['role'] == 'assistant' else message['role'] }}{{ '\\n' }}"
    "{% if loop.first %}{{ prefix }}{% endif %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ('image', 'image_url') %}<start_of_image>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "<end_of_turn>{{ '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model{{ '\\n' }}{% endif %}"
)


def build_tiny_gemma3(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random Gemma 3 (SigLIP tower, pooled to 4 soft tokens, Gemma 3 text) to `out_dir`."""
    import torch
    from transformers import (
        Gemma3Config,
        Gemma3ForConditionalGeneration,
        Gemma3ImageProcessorPil,
        Gemma3Processor,
        Gemma3TextConfig,
        SiglipVisionConfig,
    )

    named = {"image_token": "<image_soft_token>", "boi_token": "<start_of_image>", "eoi_token": "<end_of_image>"}
    tok = _tokenizer(600, ["<start_of_turn>", "<end_of_turn>"], named=named, chat_template=GEMMA3_TEMPLATE)
    image_size, patch, soft_tokens = 32, 8, 4  # 4x4 patches, average-pooled 2x2 -> 4 soft tokens
    vision = SiglipVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
    )
    text = _text_config(
        len(tok),
        tok,
        Gemma3TextConfig,
        head_dim=8,
        query_pre_attn_scalar=8,
        sliding_window=64,
        layer_types=["sliding_attention", "full_attention"],
    )
    config = Gemma3Config(
        vision_config=vision,
        text_config=text,
        mm_tokens_per_image=soft_tokens,
        boi_token_index=tok.boi_token_id,
        eoi_token_index=tok.eoi_token_id,
        image_token_index=tok.image_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = Gemma3ForConditionalGeneration(config).eval()
    model.generation_config = _generation_config(tok, "<end_of_turn>")
    image_processor = Gemma3ImageProcessorPil(size={"height": image_size, "width": image_size})
    processor = Gemma3Processor(
        image_processor=image_processor,
        tokenizer=tok,
        image_seq_length=soft_tokens,
        chat_template=GEMMA3_TEMPLATE,
    )
    return _save(model, processor, out_dir)


#: Idefics2 turns: `User:<image>text<end_of_utterance>`, then `Assistant:`; a text part that opens a
#: turn is set off from the colon by a space.
IDEFICS2_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ message['role'] | capitalize }}:"
    "{% if message['content'] is string %} {{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ('image', 'image_url') %}<image>"
    "{% elif part['type'] == 'text' %}{{ ' ' if loop.first else '' }}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "<end_of_utterance>{{ '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)


def build_tiny_idefics2(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random Idefics2 (SigLIP-style tower, perceiver resampler, Mistral text) to `out_dir`."""
    import torch
    from transformers import (
        Idefics2Config,
        Idefics2ForConditionalGeneration,
        Idefics2ImageProcessorPil,
        Idefics2PerceiverConfig,
        Idefics2Processor,
        Idefics2VisionConfig,
        MistralConfig,
    )

    named = {"image_token": "<image>", "image_boundary_token": "<fake_token_around_image>"}
    tok = _tokenizer(600, ["<end_of_utterance>"], named=named, chat_template=IDEFICS2_TEMPLATE)
    latents = 4  # the resampler turns every image into this many tokens, whatever its size
    vision = Idefics2VisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=48,
        patch_size=8,
    )
    text = _text_config(len(tok), tok, MistralConfig, sliding_window=None)
    perceiver = Idefics2PerceiverConfig(
        hidden_size=text.hidden_size,
        rms_norm_eps=text.rms_norm_eps,
        resampler_n_latents=latents,
        resampler_depth=1,
        resampler_n_heads=2,
        resampler_head_dim=8,
        num_key_value_heads=1,
    )
    config = Idefics2Config(
        vision_config=vision,
        perceiver_config=perceiver,
        text_config=text,
        image_token_id=tok.image_token_id,
    )
    torch.manual_seed(seed)
    model = Idefics2ForConditionalGeneration(config).eval()
    model.generation_config = _generation_config(tok, "<end_of_utterance>")
    # Images keep their aspect ratio (16 to 48 pixels a side), so a batch pads them to a common size.
    image_processor = Idefics2ImageProcessorPil(
        do_image_splitting=False, size={"shortest_edge": 16, "longest_edge": 48}
    )
    processor = Idefics2Processor(
        image_processor=image_processor,
        tokenizer=tok,
        image_seq_len=latents,
        chat_template=IDEFICS2_TEMPLATE,
    )
    return _save(model, processor, out_dir)
